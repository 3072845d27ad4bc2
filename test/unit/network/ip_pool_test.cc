// next_free_ip: IPAM's pure choice of the next address.
#include <catch2/catch.hpp>

#include <set>

#include "network/ipam/ip_pool.h"

using namespace nodeagent;
using namespace nodeagent::network;

TEST_CASE("next_free_ip skips network, gateway, broadcast and taken addresses, round-robin") {
  auto range = *Ipv4Cidr::parse("10.0.0.0/29");  // .2 - .6 usable
  CHECK(usable_range(range).count() == 5);
  CHECK(next_free_ip(range, {}, std::nullopt)->str() == "10.0.0.2");
  std::set<Ipv4> taken{*Ipv4::parse("10.0.0.2"), *Ipv4::parse("10.0.0.3")};
  CHECK(next_free_ip(range, taken, std::nullopt)->str() == "10.0.0.4");
  // Continues after the last one handed out, and wraps.
  CHECK(next_free_ip(range, {}, *Ipv4::parse("10.0.0.4"))->str() == "10.0.0.5");
  CHECK(next_free_ip(range, {}, *Ipv4::parse("10.0.0.6"))->str() == "10.0.0.2");
  CHECK(next_free_ip(range, taken, *Ipv4::parse("10.0.0.6"))->str() == "10.0.0.4");
  // A "last" outside the range (pod CIDR changed) starts from the beginning.
  CHECK(next_free_ip(range, {}, *Ipv4::parse("192.168.0.9"))->str() == "10.0.0.2");
  for (const char* ip : {"10.0.0.4", "10.0.0.5", "10.0.0.6"}) taken.insert(*Ipv4::parse(ip));
  CHECK_FALSE(next_free_ip(range, taken, std::nullopt).has_value());
  CHECK_FALSE(next_free_ip(*Ipv4Cidr::parse("10.0.0.0/31"), {}, std::nullopt).has_value());
}
