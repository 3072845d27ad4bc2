#include "network/ipam/ip_pool.h"

namespace nodeagent::network {

UsableRange usable_range(const Ipv4Cidr& range) {
  if (range.prefix_len > 30) return UsableRange{Ipv4{1}, Ipv4{0}};  // empty: no room besides the gateway
  return UsableRange{Ipv4{range.network().value + 2}, Ipv4{range.broadcast().value - 1}};
}

std::optional<Ipv4> next_free_ip(const Ipv4Cidr& range, const std::set<Ipv4>& taken,
                                 std::optional<Ipv4> last_handed_out) {
  const UsableRange usable = usable_range(range);
  const uint64_t count = usable.count();
  if (count == 0) return std::nullopt;
  // Start right after the last one handed out, if it is still inside the range.
  uint64_t start = 0;
  if (last_handed_out && last_handed_out->value >= usable.first.value &&
      last_handed_out->value <= usable.last.value) {
    start = (uint64_t{last_handed_out->value} - usable.first.value + 1) % count;
  }
  for (uint64_t i = 0; i < count; ++i) {
    const Ipv4 candidate{static_cast<uint32_t>(usable.first.value + (start + i) % count)};
    if (!taken.contains(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace nodeagent::network
