// Address parsing/formatting and small helpers for rule.h.
#include "network/iptables/rule.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>

namespace nodeagent::iptables {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(uint32_t addr) {
  in_addr a{htonl(addr)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

std::optional<Cidr> parse_cidr(const std::string& text) {
  auto slash = text.find('/');
  auto ip = parse_ipv4(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int prefix = 32;
  if (slash != std::string::npos) {
    const std::string p = text.substr(slash + 1);
    char* end = nullptr;
    long v = std::strtol(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || v < 0 || v > 32) return std::nullopt;
    prefix = static_cast<int>(v);
  }
  uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
  return Cidr{*ip & mask, prefix};
}

std::string format_cidr(const Cidr& cidr) { return format_ipv4(cidr.addr) + "/" + std::to_string(cidr.prefix); }

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::kTcp: return "tcp";
    case Protocol::kUdp: return "udp";
    case Protocol::kSctp: return "sctp";
    case Protocol::kAny: break;
  }
  return "all";
}

StatisticRandomMatch StatisticRandomMatch::from_probability(double p) {
  // Same rounding as libxt_statistic: the kernel compares a 31-bit random number with this.
  return StatisticRandomMatch{static_cast<uint32_t>(std::lround(0x80000000 * p))};
}

double StatisticRandomMatch::probability() const { return static_cast<double>(threshold) / 0x80000000; }

}  // namespace nodeagent::iptables
