#include <catch2/catch.hpp>

#include "network/iptables/save_format.h"
#include "network/nat/host_port_table.h"

using namespace nodeagent;
using namespace nodeagent::network;

namespace {
Ipv4 ip(const char* text) { return *Ipv4::parse(text); }

std::string render(const HostPortTable& table) {
  std::string out;
  for (const auto& rule : render_host_port_rules(table.entries(), *Ipv4Cidr::parse("10.244.1.0/24"))) {
    out += network::iptables::format_rule(kHostPortDnatChain, rule) + "\n";
  }
  return out;
}
}  // namespace

TEST_CASE("hostPort table: conflicts by port, protocol and host IP, naming the holder") {
  HostPortTable table;
  REQUIRE(table.set("uid-a", "default/a", ip("10.244.1.2"), {{8080, 80, "TCP", ""}}).ok());
  auto taken = table.set("uid-b", "default/b", ip("10.244.1.3"), {{8080, 80, "TCP", ""}});
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().code == ErrorCode::kAlreadyExists);
  CHECK(taken.error().message == "hostPort 8080/TCP is already used by pod default/a");
  // A specific host IP still collides with "every address".
  CHECK(table.set("uid-b", "default/b", ip("10.244.1.3"), {{8080, 80, "TCP", "192.168.50.1"}}).error().message ==
        "hostPort 192.168.50.1:8080/TCP is already used by pod default/a");
  CHECK(table.check("uid-b", {{8080, 80, "TCP", ""}}).error().code == ErrorCode::kAlreadyExists);
  CHECK(table.set("uid-b", "default/b", ip("10.244.1.3"), {{8080, 80, "UDP", ""}}).ok());
  // The same pod may re-set its own ports (re-sync) without conflicting with itself.
  CHECK(table.set("uid-a", "default/a", ip("10.244.1.2"), {{8080, 80, "TCP", ""}}).ok());
  CHECK(table.entries().size() == 2);
  CHECK(table.remove("uid-a"));
  CHECK_FALSE(table.remove("uid-a"));
  CHECK(table.set("uid-c", "default/c", ip("10.244.1.4"), {{8080, 80, "TCP", ""}}).ok());
  CHECK(table.retain({"uid-c"}));
  CHECK(table.entries().size() == 1);
}

TEST_CASE("hostPort table: bad mappings are rejected with the field") {
  HostPortTable table;
  CHECK(table.set("u", "default/a", ip("10.244.1.2"), {{0, 80, "TCP", ""}}).error().message == "hostPort 0: must be 1-65535");
  CHECK(table.set("u", "default/a", ip("10.244.1.2"), {{80, 70000, "TCP", ""}}).error().message ==
        "containerPort 70000: must be 1-65535");
  CHECK(table.set("u", "default/a", ip("10.244.1.2"), {{80, 80, "ICMP", ""}}).error().message ==
        "protocol \"ICMP\": must be TCP, UDP or SCTP");
  CHECK(table.set("u", "default/a", ip("10.244.1.2"), {{80, 80, "TCP", ""}, {80, 81, "TCP", ""}}).error().message ==
        "hostPort 80/TCP is listed twice");
  CHECK(table.entries().empty());
}

TEST_CASE("hostPort rules: hairpin mark then DNAT per mapping, as iptables-save prints them") {
  HostPortTable table;
  REQUIRE(table.set("uid-a", "default/a", ip("10.244.1.2"), {{8080, 80, "TCP", ""}, {5353, 53, "UDP", "192.168.50.1"}}).ok());
  CHECK(render(table) ==
        "-A CNI-HOSTPORT-DNAT -s 10.244.1.0/24 -p tcp -m comment --comment \"pod=default/a uid=uid-a\" -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK\n"
        "-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"pod=default/a uid=uid-a\" -m tcp --dport 8080 -j DNAT --to-destination 10.244.1.2:80\n"
        "-A CNI-HOSTPORT-DNAT -s 10.244.1.0/24 -d 192.168.50.1/32 -p udp -m comment --comment \"pod=default/a uid=uid-a\" -m udp --dport 5353 -j CNI-HOSTPORT-SETMARK\n"
        "-A CNI-HOSTPORT-DNAT -d 192.168.50.1/32 -p udp -m comment --comment \"pod=default/a uid=uid-a\" -m udp --dport 5353 -j DNAT --to-destination 10.244.1.2:53\n");
}

TEST_CASE("hostPort rules read back into the same table (agent restart)") {
  HostPortTable table;
  REQUIRE(table.set("uid-a", "default/a", ip("10.244.1.2"), {{8080, 80, "TCP", ""}, {5353, 53, "UDP", "192.168.50.1"}}).ok());
  HostPortTable restored;
  for (const auto& rule : render_host_port_rules(table.entries(), *Ipv4Cidr::parse("10.244.1.0/24"))) {
    if (auto entry = parse_host_port_rule(rule)) restored.restore(*entry);
  }
  CHECK(restored.entries() == table.entries());
}

TEST_CASE("pod masquerade skips the cluster and multicast") {
  std::string out;
  for (const auto& rule : render_pod_masq_rules(*Ipv4Cidr::parse("10.244.0.0/16"))) {
    out += network::iptables::format_rule(kPodMasqChain, rule) + "\n";
  }
  CHECK(out ==
        "-A NODEAGENT-POD-MASQ -d 10.244.0.0/16 -j RETURN\n"
        "-A NODEAGENT-POD-MASQ -d 224.0.0.0/4 -j RETURN\n"
        "-A NODEAGENT-POD-MASQ -j MASQUERADE\n");
}
