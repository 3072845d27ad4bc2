// network::iptables::parse_ipv4 / parse_cidr on top of util/ipv4.h: a bare address is a /32,
// host bits are cleared, malformed text (including what strtol used to let through) is refused.
#include <catch2/catch.hpp>

#include "network/iptables/rule.h"

using namespace nodeagent::network::iptables;

TEST_CASE("iptables address parsing goes through the one IPv4/CIDR parser") {
  CHECK(parse_ipv4("10.1.2.3") == 0x0a010203u);
  CHECK_FALSE(parse_ipv4("10.1.2"));
  CHECK_FALSE(parse_ipv4(""));
  CHECK(parse_cidr("10.1.2.3") == Cidr{0x0a010203u, 32});
  CHECK(parse_cidr("10.244.7.9/16") == Cidr{0x0af40000u, 16});
  CHECK(parse_cidr("0.0.0.0/0") == Cidr{0, 0});
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0.0/+8", "10.0.0/8", "/8"}) {
    INFO(bad);
    CHECK_FALSE(parse_cidr(bad));
  }
  CHECK(format_cidr(*parse_cidr("192.168.0.0/16")) == "192.168.0.0/16");
}
