// Downward API values (see downward_api.h), after kubelet's fieldpath and resource helpers.
#include "kube/downward_api.h"

#include <optional>

#include "kube/go_quote.h"

namespace nodeagent::kube {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// metadata.labels['app'] -> "app" for prefix "metadata.labels".
std::optional<std::string> subscript(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix + "['", 0) != 0 || path.size() < prefix.size() + 4 || path.substr(path.size() - 2) != "']")
    return std::nullopt;
  return path.substr(prefix.size() + 2, path.size() - prefix.size() - 4);
}

// Labels and annotations as the downward API prints them (fieldpath.FormatMap): key=%q lines,
// sorted by key, no trailing newline.
std::string format_map(const StringMap& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : "\n") + k + "=" + go_quote(v);
  return out;
}

int64_t ceil_div(int64_t a, int64_t b) { return b <= 0 ? a : (a + b - 1) / b; }

}  // namespace

Result<std::string> field_ref_value(const Pod& pod, const std::string& path, const DownwardApiContext& ctx) {
  const auto& m = pod.metadata;
  if (path == "metadata.name") return m.name;
  if (path == "metadata.namespace") return m.namespace_;
  if (path == "metadata.uid") return m.uid;
  if (path == "metadata.labels") return format_map(m.labels);
  if (path == "metadata.annotations") return format_map(m.annotations);
  if (auto key = subscript(path, "metadata.labels")) {
    auto it = m.labels.find(*key);
    return it == m.labels.end() ? std::string() : it->second;
  }
  if (auto key = subscript(path, "metadata.annotations")) {
    auto it = m.annotations.find(*key);
    return it == m.annotations.end() ? std::string() : it->second;
  }
  if (path == "spec.nodeName") return pod.spec.node_name.empty() ? ctx.node_name : pod.spec.node_name;
  if (path == "spec.serviceAccountName") return pod.spec.service_account_name;
  if (path == "status.hostIP" || path == "status.hostIPs") return ctx.host_ip;
  if (path == "status.podIP") return ctx.pod_ip;
  if (path == "status.podIPs") return join(ctx.pod_ips, ",");
  return invalid("unsupported fieldPath \"" + path + "\"");
}

Result<std::string> resource_ref_value(const Pod& pod, const Container& self, const ResourceFieldSelector& sel,
                                       const DownwardApiContext& ctx) {
  const Container* c = &self;
  if (!sel.container_name.empty() && sel.container_name != self.name) {
    c = nullptr;
    for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers})
      for (const auto& other : *list)
        if (other.name == sel.container_name) c = &other;
    if (!c) return invalid("resourceFieldRef: container \"" + sel.container_name + "\" not found");
  }
  auto dot = sel.resource.find('.');
  if (dot == std::string::npos) return invalid("resourceFieldRef: unsupported resource \"" + sel.resource + "\"");
  auto kind = sel.resource.substr(0, dot);
  auto name = sel.resource.substr(dot + 1);
  const auto& list = kind == "limits" ? c->resources.limits : c->resources.requests;
  auto it = list.find(name);
  int64_t milli = 0;
  if (it != list.end()) {
    milli = it->second.milli_value();
  } else if (name == "cpu") {
    // No limit: the node's allocatable (requests default to 0 → kubelet reports 0... for limits).
    milli = kind == "limits" ? ctx.node_allocatable_cpu_millis : 0;
  } else if (name == "memory") {
    milli = kind == "limits" ? ctx.node_allocatable_memory_bytes * 1000 : 0;
  } else {
    return invalid("resourceFieldRef: unsupported resource \"" + sel.resource + "\"");
  }
  int64_t divisor = sel.divisor.milli_value() > 0 ? sel.divisor.milli_value() : 1000;
  // Rounds up to the divisor: 1250m with divisor 1 -> 2, 250m -> 1.
  return std::to_string(ceil_div(milli, divisor));
}

}  // namespace nodeagent::kube
