// /etc/resolv.conf for a pod, as kubelet's dns configurer builds it (pkg/kubelet/network/dns):
// the dnsPolicy picks the base (cluster DNS with the upstream search list and ndots:5, or the
// node's resolv.conf, or nothing), dnsConfig is merged on top, and the result is cut to the
// resolver's limits (3 nameservers, 32 search domains, 2048 characters), with a warning the agent
// turns into a DNSConfigForming event.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::network {

struct DnsConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<std::string> options;  // "ndots:5", "edns0"
  bool operator==(const DnsConfig&) const = default;
};

// The node side: --cluster-dns, --cluster-domain and the content of --resolv-conf.
struct NodeDnsSettings {
  std::vector<std::string> cluster_dns;
  std::string cluster_domain = "cluster.local";
  std::string host_resolv_conf;  // file content; "" = the node has none
};

struct PodDns {
  DnsConfig config;
  std::vector<std::string> warnings;  // for events: limits exceeded, no cluster DNS configured
};

// Errors name the field: `pod default/x: spec.dnsPolicy: unsupported value "Foo"`.
Result<PodDns> pod_dns(const kube::Pod& pod, const NodeDnsSettings& node);

// Parses nameserver/search/options lines (the last search line wins, as in glibc).
DnsConfig parse_resolv_conf(std::string_view content);

// "search ...\nnameserver ...\noptions ...\n" (lines left out when empty), as containerd writes it.
std::string render_resolv_conf(const DnsConfig& config);

}  // namespace nodeagent::network
