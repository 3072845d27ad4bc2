// The hostPorts of the node's pods, and the iptables rules they turn into (pure, no kernel).
// HostPortTable rejects a hostPort that another pod holds, as the kubelet's admission and
// CNI portmap would; render_host_port_rules() writes the CNI-HOSTPORT-DNAT chain the way
// portmap does (hairpin mark for traffic from this node's pods, then DNAT), with a comment per
// rule that carries the pod, so parse_host_port_rule() can rebuild the table after a restart.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network/iptables/rule.h"
#include "network/pod/pod_network.h"
#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

inline constexpr const char* kHostPortDnatChain = "CNI-HOSTPORT-DNAT";
inline constexpr const char* kHostPortSetMarkChain = "CNI-HOSTPORT-SETMARK";
inline constexpr const char* kHostPortMasqChain = "CNI-HOSTPORT-MASQ";
inline constexpr const char* kPodMasqChain = "NODEAGENT-POD-MASQ";
inline constexpr uint32_t kHostPortMasqMark = 0x2000;  // portmap's default; kube-proxy uses 0x4000

struct HostPortEntry {
  std::string pod_uid;
  std::string pod_ref;  // "namespace/name"
  Ipv4 pod_ip;
  HostPortMapping mapping;
  bool operator==(const HostPortEntry&) const = default;
};

class HostPortTable {
 public:
  // Replaces the pod's mappings. Errors: a port outside 1-65535 or an unknown protocol
  // (kInvalid), a (hostIP, hostPort, protocol) another pod holds (kAlreadyExists):
  // `hostPort 8080/TCP is already used by pod default/y`.
  Status set(const std::string& pod_uid, const std::string& pod_ref, Ipv4 pod_ip,
             const std::vector<HostPortMapping>& mappings);
  // The error set() would return, without changing the table.
  Status check(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) const;
  // Both return whether anything changed.
  bool remove(const std::string& pod_uid);
  bool retain(const std::set<std::string>& live_pod_uids);
  // Adds an entry read back from the kernel, without checks.
  void restore(const HostPortEntry& entry) { entries_.push_back(entry); }
  const std::vector<HostPortEntry>& entries() const { return entries_; }

 private:
  std::vector<HostPortEntry> entries_;
};

// The rules of the CNI-HOSTPORT-DNAT chain for `entries`; `pod_cidr` is this node's pod range
// (its pods reaching a hostPort on the node get masqueraded so replies come back the same way).
std::vector<iptables::Rule> render_host_port_rules(const std::vector<HostPortEntry>& entries, const Ipv4Cidr& pod_cidr);
// The entry a DNAT rule of that chain was made from; nullopt for the mark rules and foreign rules.
std::optional<HostPortEntry> parse_host_port_rule(const iptables::Rule& rule);

// The masquerade chain for traffic of this node's pods to destinations outside the cluster.
std::vector<iptables::Rule> render_pod_masq_rules(const Ipv4Cidr& cluster_cidr);

}  // namespace nodeagent::network
