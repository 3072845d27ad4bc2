#include <catch2/catch.hpp>

#include "network/netlink/node_address.h"

using namespace nodeagent;
using namespace nodeagent::network;

namespace {
LinkAddress addr(const std::string& link, int ifindex, const std::string& ip, bool up = true, bool global = true) {
  LinkAddress a;
  a.link = link;
  a.ifindex = ifindex;
  a.up = up;
  a.loopback = link == "lo";
  a.global_scope = global;
  a.address = *Ipv4::parse(ip);
  return a;
}
}  // namespace

TEST_CASE("node IP: the default route's interface wins") {
  std::vector<LinkAddress> all = {addr("lo", 1, "127.0.0.1", true, false), addr("eth0", 2, "192.168.1.10"),
                                  addr("eth1", 3, "10.0.0.5")};
  CHECK(choose_node_ip(all, 3, {})->str() == "10.0.0.5");
  CHECK(choose_node_ip(all, 2, {})->str() == "192.168.1.10");
}

TEST_CASE("node IP: without a default route, the first usable global address") {
  std::vector<LinkAddress> all = {addr("lo", 1, "127.0.0.1", true, false), addr("cni0", 2, "10.244.1.1"),
                                  addr("down0", 3, "172.16.0.1", false), addr("link0", 4, "169.254.0.2", true, false),
                                  addr("eth0", 5, "192.168.7.2")};
  CHECK(choose_node_ip(all, 0, {"cni0"})->str() == "192.168.7.2");
}

TEST_CASE("node IP: the bridge never counts, even when it carries the default route") {
  std::vector<LinkAddress> all = {addr("cni0", 2, "10.244.1.1"), addr("eth0", 5, "192.168.7.2")};
  CHECK(choose_node_ip(all, 2, {"cni0"})->str() == "192.168.7.2");
}

TEST_CASE("node IP: nothing usable names the flag to set") {
  std::vector<LinkAddress> all = {addr("lo", 1, "127.0.0.1", true, false), addr("eth0", 2, "192.168.1.10", false)};
  auto ip = choose_node_ip(all, 2, {});
  REQUIRE_FALSE(ip.ok());
  CHECK(ip.error().message.find("--node-ip") != std::string::npos);
}
