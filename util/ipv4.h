// IPv4 addresses and CIDR blocks: the one parser (errors name the bad text), formatting, and the
// host arithmetic that IPAM and the node network set-up need (gateway, usable range). In util/
// because kube/ (validation) needs it as well as network/ and the agent's flags.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent {

// An IPv4 address in host byte order, so that +1 means "the next address".
struct Ipv4 {
  uint32_t value = 0;

  static Result<Ipv4> parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

// A CIDR block like 10.244.1.0/24. parse() rejects host bits set ("10.244.1.5/24"), as
// kubelet's --pod-cidr does; parse_interface() keeps them (an address with its prefix).
struct Ipv4Cidr {
  Ipv4 address;
  int prefix_len = 0;

  static Result<Ipv4Cidr> parse(std::string_view text);
  static Result<Ipv4Cidr> parse_interface(std::string_view text);
  std::string str() const;

  uint32_t mask() const;
  Ipv4 network() const;
  Ipv4 broadcast() const;
  bool contains(Ipv4 ip) const;
  bool overlaps(const Ipv4Cidr& other) const;
  // Number of addresses in the block (2^(32-prefix)), as 64 bits so /0 fits.
  uint64_t size() const;
  // The first usable address (network + 1), which the node network gives the bridge.
  Ipv4 gateway() const;
  auto operator<=>(const Ipv4Cidr&) const = default;
};

}  // namespace nodeagent
