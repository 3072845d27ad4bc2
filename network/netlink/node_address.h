// Finding the node's own IP when --node-ip is not given, the way kubelet falls back when it has
// no cloud provider: the IPv4 address of the interface that carries the default route, else the
// first global IPv4 address of an up, non-loopback interface. (kubelet first resolves the host
// name; that can mean a DNS query leaving the node, so it is not done here.)
#pragma once

#include <string>
#include <vector>

#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

// One IPv4 address of a link, as read from the kernel.
struct LinkAddress {
  std::string link;
  int ifindex = 0;
  bool up = false;
  bool loopback = false;
  bool global_scope = false;
  Ipv4 address;
};

// The choice itself, kept apart from netlink so that it is unit-tested: `default_route_ifindex`
// is 0 when there is no default route; links named in `ignore` (the pod bridge) never count.
Result<Ipv4> choose_node_ip(const std::vector<LinkAddress>& addresses, int default_route_ifindex,
                            const std::vector<std::string>& ignore);

// Reads links, addresses and the main table's default route of the calling thread's network
// namespace and applies choose_node_ip().
Result<Ipv4> discover_node_ip(const std::vector<std::string>& ignore);

// The node IP the agent runs with: `flag` (--node-ip) when given, else discovered. When nothing is
// found that is an error only if `required` (pod networking needs it); otherwise the IP is "" and
// the status.hostIP of pods stays empty, with a warning logged.
Result<std::string> resolve_node_ip(const std::string& flag, const std::vector<std::string>& ignore, bool required);

}  // namespace nodeagent::network
