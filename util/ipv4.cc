// IPv4 and CIDR parsing and arithmetic (see ipv4.h).
#include "util/ipv4.h"

#include <arpa/inet.h>

#include <charconv>

namespace nodeagent {

Result<Ipv4> Ipv4::parse(std::string_view text) {
  std::string copy(text);
  in_addr addr{};
  // inet_pton accepts only the dotted quad (no "10.1", no octal), which is what Kubernetes accepts.
  if (copy.empty() || inet_pton(AF_INET, copy.c_str(), &addr) != 1) {
    return invalid("\"" + copy + "\" is not a valid IPv4 address");
  }
  return Ipv4{ntohl(addr.s_addr)};
}

std::string Ipv4::str() const {
  in_addr addr{htonl(value)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof(buf));
  return buf;
}

namespace {
Result<Ipv4Cidr> parse_with_prefix(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return invalid(quoted + " is not a CIDR (missing /prefix)");
  auto ip = Ipv4::parse(text.substr(0, slash));
  if (!ip.ok()) return invalid(quoted + " is not a valid CIDR: bad address");
  const auto prefix_text = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (prefix_text.empty() || ec != std::errc() || end != prefix_text.data() + prefix_text.size() ||
      prefix < 0 || prefix > 32) {
    return invalid(quoted + " is not a valid CIDR: prefix length must be 0-32");
  }
  return Ipv4Cidr{*ip, prefix};
}
}  // namespace

Result<Ipv4Cidr> Ipv4Cidr::parse(std::string_view text) {
  NA_ASSIGN_OR_RETURN(Ipv4Cidr cidr, parse_with_prefix(text));
  if (cidr.address != cidr.network()) {
    return invalid("\"" + std::string(text) + "\" is not a valid CIDR: host bits set (did you mean " +
                   Ipv4Cidr{cidr.network(), cidr.prefix_len}.str() + "?)");
  }
  return cidr;
}

Result<Ipv4Cidr> Ipv4Cidr::parse_interface(std::string_view text) { return parse_with_prefix(text); }

std::string Ipv4Cidr::str() const { return address.str() + "/" + std::to_string(prefix_len); }

uint32_t Ipv4Cidr::mask() const {
  return prefix_len == 0 ? 0u : ~uint32_t{0} << (32 - prefix_len);
}

Ipv4 Ipv4Cidr::network() const { return Ipv4{address.value & mask()}; }
Ipv4 Ipv4Cidr::broadcast() const { return Ipv4{address.value | ~mask()}; }
bool Ipv4Cidr::contains(Ipv4 ip) const { return (ip.value & mask()) == network().value; }

bool Ipv4Cidr::overlaps(const Ipv4Cidr& other) const {
  return contains(other.network()) || other.contains(network());
}

uint64_t Ipv4Cidr::size() const { return uint64_t{1} << (32 - prefix_len); }
Ipv4 Ipv4Cidr::gateway() const { return Ipv4{network().value + 1}; }

}  // namespace nodeagent
