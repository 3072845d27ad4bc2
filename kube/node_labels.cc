// A node's own labels (see node_labels.h).
#include "kube/node_labels.h"

#include <set>

#include "kube/field_error.h"
#include "kube/names.h"

namespace nodeagent::kube {
namespace {

// `ns` is `domain` or a subdomain of it.
bool in_domain(const std::string& ns, const std::string& domain) {
  return ns == domain ||
         (ns.size() > domain.size() && ns.compare(ns.size() - domain.size() - 1, std::string::npos, "." + domain) == 0);
}

// kubelet's kubeletapis.KubeletLabels / KubeletLabelNamespaces: what a node may label itself with
// inside the kubernetes.io and k8s.io namespaces.
bool allowed_kubelet_label(const std::string& key) {
  static const std::set<std::string> kLabels = {
      "kubernetes.io/hostname",           "topology.kubernetes.io/zone",     "topology.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
      "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type", "kubernetes.io/os",
      "kubernetes.io/arch",               "beta.kubernetes.io/os",           "beta.kubernetes.io/arch"};
  if (kLabels.count(key)) return true;
  const auto slash = key.find('/');
  if (slash == std::string::npos) return true;
  const std::string ns = key.substr(0, slash);
  for (const char* allowed : {"kubelet.kubernetes.io", "node.kubernetes.io"})
    if (in_domain(ns, allowed)) return true;
  for (const char* restricted : {"kubernetes.io", "k8s.io"})
    if (in_domain(ns, restricted)) return false;
  return true;
}

}  // namespace

std::string go_arch(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.rfind("armv", 0) == 0) return "arm";
  if (machine == "i386" || machine == "i686") return "386";
  return std::string(machine);  // ppc64le, s390x, riscv64 are spelled alike
}

StringMap node_labels(const std::string& node_name, std::string_view machine, const StringMap& extra) {
  const std::string arch = go_arch(machine);
  StringMap labels = {{"kubernetes.io/hostname", node_name}, {"kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", arch},          {"beta.kubernetes.io/os", "linux"},
                      {"beta.kubernetes.io/arch", arch}};
  for (const auto& [k, v] : extra) labels[k] = v;
  return labels;
}

Result<StringMap> parse_node_labels(const std::vector<std::string>& items) {
  StringMap labels;
  std::string unknown;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return invalid("--node-labels: \"" + item + "\" must be KEY=VALUE");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    for (const auto& m : is_qualified_name(key)) return invalid("--node-labels: key " + quote(key) + ": " + m);
    for (const auto& m : is_valid_label_value(value)) return invalid("--node-labels: value " + quote(value) + ": " + m);
    if (!allowed_kubelet_label(key)) unknown += (unknown.empty() ? "" : " ") + key;
    labels[key] = value;
  }
  if (!unknown.empty())
    return invalid("--node-labels: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [" + unknown +
                   "]; the kubelet may only set labels in the kubelet.kubernetes.io and node.kubernetes.io namespaces");
  return labels;
}

}  // namespace nodeagent::kube
