// The pure part of IPAM: which address to hand out next. Host-local style: round-robin from the
// last address handed out, so a just-released IP is not reused at once (stale conntrack entries
// and ARP caches of other pods would still point at it).
#pragma once

#include <optional>
#include <set>

#include "util/ipv4.h"

namespace nodeagent::network {

// First and last address a pod may get in `range`: the network address, the gateway
// (network + 1, on the bridge) and the broadcast address are never handed out.
struct UsableRange {
  Ipv4 first;
  Ipv4 last;
  uint64_t count() const { return last.value >= first.value ? uint64_t{last.value} - first.value + 1 : 0; }
};
UsableRange usable_range(const Ipv4Cidr& range);

// The next free address after `last_handed_out` (wrapping around), or nullopt if every usable
// address is in `taken`. Addresses of `taken` outside the range are ignored.
std::optional<Ipv4> next_free_ip(const Ipv4Cidr& range, const std::set<Ipv4>& taken,
                                 std::optional<Ipv4> last_handed_out);

}  // namespace nodeagent::network
