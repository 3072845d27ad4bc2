// UDP conntrack cleanup. UDP has no connection end, so after an endpoint goes away the kernel
// keeps sending a client's flow (e.g. DNS from a fixed source port) to the dead endpoint until
// the entry expires. stale_udp_flows() (pure) says which entries to delete after a sync;
// Conntrack deletes them through libnetfilter_conntrack.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "util/result.h"
#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

// Delete UDP entries whose original destination is one of `service_ips`:`service_port` (or any
// local address :`node_port` when non-zero) and whose reply comes from `endpoint_ip`:`endpoint_port`
// (endpoint 0 = any, used when a Service gets its first endpoint).
struct StaleUdpFlow {
  std::vector<uint32_t> service_ips;
  uint16_t service_port = 0;
  uint16_t node_port = 0;
  uint32_t endpoint_ip = 0;
  uint16_t endpoint_port = 0;
  bool operator==(const StaleUdpFlow&) const = default;
};

std::vector<StaleUdpFlow> stale_udp_flows(const ProxyState& before, const ProxyState& after);

class Conntrack {
 public:
  virtual ~Conntrack() = default;
  // Returns how many entries were deleted.
  virtual Result<size_t> delete_flows(const std::vector<StaleUdpFlow>& flows) = 0;
};

// libnetfilter_conntrack over netlink, in the calling thread's network namespace.
std::unique_ptr<Conntrack> make_netfilter_conntrack();

}  // namespace nodeagent::network::proxy
