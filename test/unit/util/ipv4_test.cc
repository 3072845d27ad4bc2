// Ipv4 and Ipv4Cidr: the one IPv4/CIDR parser (kube validation, IPAM, iptables, the agent's
// flags), its error messages, and the block arithmetic.
#include <catch2/catch.hpp>

#include "util/ipv4.h"

using namespace nodeagent;

TEST_CASE("Ipv4 parses dotted quads and rejects the rest") {
  CHECK(Ipv4::parse("10.244.1.7")->str() == "10.244.1.7");
  CHECK(Ipv4::parse("10.244.1.7")->value == 0x0af40107u);
  for (const char* bad : {"", "10.244.1", "10.244.1.256", "a.b.c.d", "10.244.1.7/24", " 10.0.0.1"}) {
    INFO(bad);
    auto ip = Ipv4::parse(bad);
    REQUIRE_FALSE(ip.ok());
    CHECK(ip.error().code == ErrorCode::kInvalid);
  }
}

TEST_CASE("Ipv4Cidr parses, reports host bits and bad prefixes by name") {
  auto cidr = Ipv4Cidr::parse("10.244.1.0/24");
  REQUIRE(cidr.ok());
  CHECK(cidr->str() == "10.244.1.0/24");
  CHECK(cidr->gateway().str() == "10.244.1.1");
  CHECK(cidr->broadcast().str() == "10.244.1.255");
  CHECK(cidr->size() == 256);
  CHECK(cidr->contains(*Ipv4::parse("10.244.1.200")));
  CHECK_FALSE(cidr->contains(*Ipv4::parse("10.244.2.1")));

  auto host_bits = Ipv4Cidr::parse("10.244.1.5/24");
  REQUIRE_FALSE(host_bits.ok());
  CHECK(host_bits.error().message == "\"10.244.1.5/24\" is not a valid CIDR: host bits set (did you mean 10.244.1.0/24?)");
  CHECK(Ipv4Cidr::parse_interface("10.244.1.5/24")->address.str() == "10.244.1.5");

  CHECK(Ipv4Cidr::parse("10.0.0.0/33").error().message == "\"10.0.0.0/33\" is not a valid CIDR: prefix length must be 0-32");
  CHECK(Ipv4Cidr::parse("10.0.0.0").error().message == "\"10.0.0.0\" is not a CIDR (missing /prefix)");
  CHECK_FALSE(Ipv4Cidr::parse("10.0.0.0/").ok());
  CHECK_FALSE(Ipv4Cidr::parse("10.0.0.0/2x").ok());
  CHECK(Ipv4Cidr::parse("0.0.0.0/0")->size() == (uint64_t{1} << 32));
}

TEST_CASE("Ipv4Cidr overlap") {
  auto a = *Ipv4Cidr::parse("10.244.0.0/16");
  CHECK(a.overlaps(*Ipv4Cidr::parse("10.244.3.0/24")));
  CHECK(Ipv4Cidr::parse("10.244.3.0/24")->overlaps(a));
  CHECK_FALSE(a.overlaps(*Ipv4Cidr::parse("10.245.0.0/24")));
}
