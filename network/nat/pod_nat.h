// The iptables side of pod networking: masquerade of pod traffic leaving the cluster, and
// hostPort DNAT (as CNI's portmap plugin does). An interface, so that NodePodNetwork is
// unit-tested without iptables; the implementation sits on the service proxy's libiptc
// wrapper (network/iptables).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "network/pod/pod_network.h"
#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

class PodNat {
 public:
  virtual ~PodNat() = default;
  // Traffic from `pod_cidr` to destinations outside `cluster_cidr` leaves with the node's address.
  virtual Status ensure_masquerade(const Ipv4Cidr& pod_cidr, const Ipv4Cidr& cluster_cidr) = 0;
  // Makes the pod's DNAT rules exactly `mappings` (empty = none). A hostPort (port, protocol,
  // host IP) that another pod holds is rejected with kAlreadyExists, naming that pod.
  virtual Status set_host_ports(const std::string& pod_uid, const std::string& pod_ref, Ipv4 pod_ip,
                                const std::vector<HostPortMapping>& mappings) = 0;
  // The error set_host_ports() would give for these mappings (bad mapping, or a port another
  // pod holds), without changing anything: lets a set-up fail before it makes a veth.
  virtual Status check_host_ports(const std::string& pod_uid, const std::vector<HostPortMapping>& mappings) = 0;
  // Removes the pod's rules; no error if it has none.
  virtual Status remove_host_ports(const std::string& pod_uid) = 0;
  // Removes the rules of every pod not in `live_pod_uids`.
  virtual Status retain_host_ports(const std::set<std::string>& live_pod_uids) = 0;
};

}  // namespace nodeagent::network
