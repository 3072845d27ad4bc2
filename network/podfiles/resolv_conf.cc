#include "network/podfiles/resolv_conf.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace nodeagent::network {

namespace {

constexpr size_t kMaxNameservers = 3;
constexpr size_t kMaxSearchPaths = 32;
constexpr size_t kMaxSearchListChars = 2048;
constexpr size_t kMaxSearchDomainLength = 253;  // longer names make some resolvers abort()

enum class DnsBase { kCluster, kHost, kNone };

std::vector<std::string> without_duplicates(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& s : in) {
    if (seen.insert(s).second) out.push_back(s);
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// Later options override earlier ones of the same name ("ndots:2" replaces "ndots:5").
std::vector<std::string> merge_options(const std::vector<std::string>& base,
                                       const std::vector<kube::PodDNSConfigOption>& extra) {
  std::map<std::string, std::string> by_name;
  std::vector<std::string> order;
  auto put = [&](const std::string& name, const std::string& value) {
    if (!by_name.contains(name)) order.push_back(name);
    by_name[name] = value;
  };
  for (const auto& opt : base) {
    const auto colon = opt.find(':');
    if (colon == std::string::npos) put(opt, "");
    else put(opt.substr(0, colon), opt.substr(colon + 1));
  }
  for (const auto& opt : extra) put(opt.name, opt.value.value_or(""));
  std::vector<std::string> out;
  for (const auto& name : order) out.push_back(by_name[name].empty() ? name : name + ":" + by_name[name]);
  return out;
}

Result<DnsBase> dns_base(const kube::Pod& pod, const std::string& pod_ref) {
  const std::string& policy = pod.spec.dns_policy;
  if (policy == "None") return DnsBase::kNone;
  if (policy == "ClusterFirstWithHostNet") return DnsBase::kCluster;
  // ClusterFirst on the host network means Default, as upstream.
  if (policy == "ClusterFirst" || policy.empty()) return pod.spec.host_network ? DnsBase::kHost : DnsBase::kCluster;
  if (policy == "Default") return DnsBase::kHost;
  return invalid(pod_ref + ": spec.dnsPolicy: unsupported value \"" + policy +
                 "\" (ClusterFirst, ClusterFirstWithHostNet, Default, None)");
}

void fit_limits(PodDns& dns) {
  auto& servers = dns.config.nameservers;
  if (servers.size() > kMaxNameservers) {
    servers.resize(kMaxNameservers);
    dns.warnings.push_back("Nameserver limits were exceeded, some nameservers have been omitted, "
                           "the applied nameserver line is: " + join(servers, " "));
  }
  auto& search = dns.config.searches;
  bool exceeded = false;
  if (search.size() > kMaxSearchPaths) {
    search.resize(kMaxSearchPaths);
    exceeded = true;
  }
  const auto too_long = std::remove_if(search.begin(), search.end(),
                                       [](const std::string& s) { return s.size() > kMaxSearchDomainLength; });
  if (too_long != search.end()) {
    search.erase(too_long, search.end());
    exceeded = true;
  }
  while (!search.empty() && join(search, " ").size() > kMaxSearchListChars) {
    search.pop_back();  // cut from the end, as upstream
    exceeded = true;
  }
  if (exceeded) {
    dns.warnings.push_back("Search Line limits were exceeded, some search paths have been omitted, "
                           "the applied search line is: " + join(search, " "));
  }
}

}  // namespace

DnsConfig parse_resolv_conf(std::string_view content) {
  DnsConfig config;
  std::istringstream in{std::string(content)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    std::istringstream fields(line);
    std::string key, value;
    fields >> key;
    if (key == "nameserver") {
      if (fields >> value) config.nameservers.push_back(value);
    } else if (key == "search") {
      config.searches.clear();
      while (fields >> value) {
        if (value == ".") continue;
        if (value.back() == '.') value.pop_back();
        config.searches.push_back(value);
      }
    } else if (key == "options") {
      while (fields >> value) config.options.push_back(value);
    }
  }
  return config;
}

std::string render_resolv_conf(const DnsConfig& config) {
  std::string out;
  if (!config.searches.empty()) out += "search " + join(config.searches, " ") + "\n";
  for (const auto& server : config.nameservers) out += "nameserver " + server + "\n";
  if (!config.options.empty()) out += "options " + join(config.options, " ") + "\n";
  return out;
}

Result<PodDns> pod_dns(const kube::Pod& pod, const NodeDnsSettings& node) {
  const std::string pod_ref = "pod " + pod.metadata.namespace_ + "/" + pod.metadata.name;
  NA_ASSIGN_OR_RETURN(DnsBase base, dns_base(pod, pod_ref));
  if (base == DnsBase::kNone && !pod.spec.dns_config) {
    return invalid(pod_ref + ": spec.dnsConfig: required when spec.dnsPolicy is None");
  }
  PodDns dns;
  const DnsConfig host = parse_resolv_conf(node.host_resolv_conf);
  if (base == DnsBase::kCluster && node.cluster_dns.empty()) {
    dns.warnings.push_back("pod: \"" + pod.metadata.name + "_" + pod.metadata.namespace_ +
                           "\". kubelet does not have ClusterDNS IP configured and cannot create Pod using "
                           "\"ClusterFirst\" policy. Falling back to \"Default\" policy.");
    base = DnsBase::kHost;
  }
  if (base == DnsBase::kCluster) {
    dns.config.nameservers = node.cluster_dns;
    std::vector<std::string> search;
    if (!node.cluster_domain.empty()) {
      search = {pod.metadata.namespace_ + ".svc." + node.cluster_domain, "svc." + node.cluster_domain,
                node.cluster_domain};
    }
    search.insert(search.end(), host.searches.begin(), host.searches.end());
    dns.config.searches = without_duplicates(search);
    dns.config.options = {"ndots:5"};
  } else if (base == DnsBase::kHost) {
    dns.config = host;
  }
  if (pod.spec.dns_config) {
    const auto& extra = *pod.spec.dns_config;
    auto servers = dns.config.nameservers;
    servers.insert(servers.end(), extra.nameservers.begin(), extra.nameservers.end());
    dns.config.nameservers = without_duplicates(servers);
    auto search = dns.config.searches;
    search.insert(search.end(), extra.searches.begin(), extra.searches.end());
    dns.config.searches = without_duplicates(search);
    dns.config.options = merge_options(dns.config.options, extra.options);
  }
  fit_limits(dns);
  return dns;
}

}  // namespace nodeagent::network
