// The kernel edge of pod networking: the few link/address/route operations the node and pod
// network set-up need, as an interface, so the set-up logic (network/pod) is unit-tested with a
// fake and the libnl implementation (make_libnl_ops, libnl_ops.cc) is exercised by the
// integration tests.
// Every operation is idempotent: it brings the kernel to the described state from whatever
// half-made state a crash left behind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

struct BridgeSpec {
  std::string name;      // "cni0"
  int mtu = 1500;
  Ipv4Cidr address;      // gateway with the pod CIDR's prefix, e.g. 10.244.1.1/24
};

struct RouteSpec {
  Ipv4Cidr destination;  // another node's pod CIDR
  Ipv4 via;              // that node's IP on the underlay
  bool operator==(const RouteSpec&) const = default;
};

// The routing protocol number our routes carry ("proto 167" in `ip route`), so that they are
// told apart from every other static route of the node and stale ones can be removed.
inline constexpr int kPodRouteProtocol = 167;

struct PodInterfaceSpec {
  std::string host_ifname;   // veth end on the node, attached to the bridge
  std::string bridge;
  int mtu = 1500;
  std::string netns_path;    // the pod's network namespace
  std::string pod_ifname = "eth0";
  Ipv4Cidr address;          // pod IP with the pod CIDR's prefix
  Ipv4 gateway;              // default route of the pod
};

class NetlinkOps {
 public:
  virtual ~NetlinkOps() = default;

  // Node namespace: the bridge exists with this MTU and address, and is up.
  virtual Status ensure_bridge(const BridgeSpec& spec) = 0;
  // Node namespace: a route to `destination` via `via` (replaced if it differs), marked with
  // kPodRouteProtocol.
  virtual Status ensure_route(const RouteSpec& spec) = 0;
  // Node namespace: the IPv4 routes of the main table marked with kPodRouteProtocol.
  virtual Result<std::vector<RouteSpec>> pod_routes() = 0;
  // Node namespace: removes our route to `destination`; no error if absent.
  virtual Status delete_route(const Ipv4Cidr& destination) = 0;
  // Node namespace: writes a sysctl under /proc/sys (e.g. "net/ipv4/ip_forward").
  // NotFound when the key does not exist (e.g. br_netfilter not loaded).
  virtual Status set_sysctl(const std::string& key, const std::string& value) = 0;

  // The veth pair exists, the pod end named spec.pod_ifname inside the pod's namespace with the
  // address, lo and both ends up, the default route via the gateway, the host end on the bridge.
  // A complete existing set-up is kept as is (adoption after an agent restart); a partial one
  // is removed and made again.
  virtual Status ensure_pod_interface(const PodInterfaceSpec& spec) = 0;
  // Node namespace: deletes the link (and with a veth, its peer). No error if absent.
  virtual Status delete_link(const std::string& name) = 0;
  // Node namespace: names of the links enslaved to `bridge`.
  virtual Result<std::vector<std::string>> bridge_ports(const std::string& bridge) = 0;
};

// The libnl implementation. node_netns_path: the node's namespace ("" = the agent's own);
// node-side calls use a netlink socket opened in that namespace, pod-side work runs on a thread
// that joined the pod's namespace.
Result<std::unique_ptr<NetlinkOps>> make_libnl_ops(const std::string& node_netns_path);

}  // namespace nodeagent::network
