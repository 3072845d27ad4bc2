// KernelIptables' cache of the table it committed last, against the kernel in a throwaway netns:
// a partial sync uses it when the kernel's table is still ours, reads the table back when
// someone else changed it (and keeps their rules), and never loses counters.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "netns_harness.h"
#include "network/iptables/kernel_table.h"
#include "network/proxy/applier.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using namespace proxytest;

namespace {

// `services` UDP Services 172.30.0.<i>:53 with two endpoints each, 10.1.<i>.1-2:5353.
ProxyState small_state(int services) {
  ProxyState state;
  for (int i = 1; i <= services; ++i) {
    ServicePortInfo svc;
    svc.name = ServicePortName{"cache", "svc-" + std::to_string(i), "dns"};
    svc.protocol = network::iptables::Protocol::kUdp;
    svc.cluster_ip = (172u << 24) | (30u << 16) | static_cast<uint32_t>(i);
    svc.port = 53;
    state.services[svc.name] = svc;
    for (uint32_t j = 1; j <= 2; ++j) {
      const uint32_t ip = (10u << 24) | (1u << 16) | (static_cast<uint32_t>(i) << 8) | j;
      state.endpoints[svc.name].push_back(EndpointInfo{ip, 5353, true, true, false, false, "node-b"});
    }
  }
  return state;
}

// Moves the first endpoint of Service `i` to 10.9.<i>.<n>.
void move_endpoint(ProxyState& state, int i, uint32_t n) {
  auto& eps = state.endpoints.at(ServicePortName{"cache", "svc-" + std::to_string(i), "dns"});
  eps[0].ip = (10u << 24) | (9u << 16) | (static_cast<uint32_t>(i) << 8) | n;
}

std::string nat_rules(const std::string& ns) {
  return sh_out("ip netns exec " + ns + " iptables-legacy-save -t nat | grep '^-A'");
}

// "packets bytes" of the first rule of `chain` in nat whose line contains `needle`.
std::string counters(const std::string& ns, const std::string& chain, const std::string& needle) {
  return sh_out("ip netns exec " + ns + " iptables-legacy -t nat -L " + chain + " -v -n -x | grep -m1 -- '" + needle +
                "' | awk '{printf \"%s %s\", $1, $2}'");
}

Status apply(Applier& applier, const std::string& ns, const ProxyState& state, bool full) {
  Status st;
  in_netns(ns, [&] {
    auto r = applier.apply(state, full);
    if (!r.ok()) st = r.error();
  });
  return st;
}

CompilerConfig config() {
  CompilerConfig c;
  c.cluster_cidr = network::iptables::parse_cidr("10.128.0.0/9");
  return c;
}

}  // namespace

TEST_CASE("partial syncs use the committed table while it is ours and re-read it once someone else changed it") {
  cleanup_netns_with_prefix("naprxc");
  Netns node("naprxc" + std::to_string(getpid() % 100000));
  network::iptables::KernelIptables ipt;
  Applier applier(ipt, config());
  ProxyState state = small_state(3);
  REQUIRE(apply(applier, node.name(), state, true).ok());
  CHECK_FALSE(ipt.last_open_used_cache("nat"));  // a full sync always reads the kernel

  move_endpoint(state, 1, 1);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(ipt.last_open_used_cache("nat"));
  CHECK(nat_rules(node.name()).find("--to-destination 10.9.1.1:5353") != std::string::npos);
  CHECK(ipt.cached_image_bytes() > 0);

  // A reader in between (nodectl trace, the Runner's canary check) leaves the cache usable.
  in_netns(node.name(), [&] {
    auto nat = ipt.open("nat");
    REQUIRE(nat.ok());
    CHECK((*nat)->is_as_committed());
    auto rules = (*nat)->rules("KUBE-SERVICES");
    REQUIRE(rules.ok());
    CHECK(rules->size() == 4);  // three Services and the nodeports jump
  });
  move_endpoint(state, 1, 2);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(ipt.last_open_used_cache("nat"));
  CHECK(nat_rules(node.name()).find("--to-destination 10.9.1.2:5353") != std::string::npos);
  CHECK(nat_rules(node.name()).find("--to-destination 10.9.1.1:5353") == std::string::npos);

  // Someone else adds a chain and a rule: the table's size no longer matches what we committed.
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -N OTHER-TOOL") == 0);
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A OTHER-TOOL -p tcp --dport 9 -j RETURN") == 0);
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A OUTPUT -d 192.0.2.7/32 -j OTHER-TOOL") == 0);
  move_endpoint(state, 2, 2);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK_FALSE(ipt.last_open_used_cache("nat"));
  std::string nat = nat_rules(node.name());
  CHECK(nat.find("-A OTHER-TOOL -p tcp -m tcp --dport 9 -j RETURN") != std::string::npos);
  CHECK(nat.find("-A OUTPUT -d 192.0.2.7/32 -j OTHER-TOOL") != std::string::npos);
  CHECK(nat.find("--to-destination 10.9.2.2:5353") != std::string::npos);
  CHECK(nat.find("--to-destination 10.1.2.1:5353") == std::string::npos);  // its stale chain is gone

  // The table is ours again (with their rules in it): the next change uses the cache and still
  // keeps their rules.
  move_endpoint(state, 3, 3);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(ipt.last_open_used_cache("nat"));
  nat = nat_rules(node.name());
  CHECK(nat.find("-A OTHER-TOOL -p tcp -m tcp --dport 9 -j RETURN") != std::string::npos);
  CHECK(nat.find("-A OUTPUT -d 192.0.2.7/32 -j OTHER-TOOL") != std::string::npos);
  CHECK(nat.find("--to-destination 10.9.3.3:5353") != std::string::npos);
  CHECK(nat.find("--to-destination 10.1.3.1:5353") == std::string::npos);
  CHECK(sh("ip netns exec " + node.name() + " iptables-legacy-save >/dev/null") == 0);

  // A Service removed through a cached sync takes its chains with it.
  state.services.erase(ServicePortName{"cache", "svc-2", "dns"});
  state.endpoints.erase(ServicePortName{"cache", "svc-2", "dns"});
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(ipt.last_open_used_cache("nat"));
  nat = nat_rules(node.name());
  CHECK(nat.find("cache/svc-2") == std::string::npos);
  CHECK(nat.find("10.9.2.2") == std::string::npos);
  CHECK(nat.find("cache/svc-3:dns cluster IP") != std::string::npos);

  // What the cached syncs left in the kernel is exactly what a fresh agent writes for the state.
  const std::string cached = nat_rules(node.name());
  const std::string cached_filter = sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t filter | grep '^-A'");
  {
    network::iptables::KernelIptables fresh_ipt;
    Applier fresh(fresh_ipt, config());
    REQUIRE(apply(fresh, node.name(), state, true).ok());
  }
  CHECK(nat_rules(node.name()) == cached);
  CHECK(sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t filter | grep '^-A'") == cached_filter);

  // A full sync forgets the cache and reads the kernel again.
  REQUIRE(apply(applier, node.name(), state, true).ok());
  CHECK_FALSE(ipt.last_open_used_cache("nat"));
}

TEST_CASE("many cached syncs in a row leave the table a fresh full sync would write") {
  cleanup_netns_with_prefix("naprxf");
  Netns node("naprxf" + std::to_string(getpid() % 100000));
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A POSTROUTING -d 192.0.2.11/32 -j RETURN") == 0);
  network::iptables::KernelIptables ipt;
  Applier applier(ipt, config());
  // Enough chains for several cache chunks (1024 chains each).
  ProxyState state = small_state(1500);
  REQUIRE(apply(applier, node.name(), state, true).ok());
  for (int k = 1; k <= 12; ++k) {
    // Endpoints move, a Service loses its endpoints, another one goes away, a new one comes.
    move_endpoint(state, 1 + (k * 97) % 1400, static_cast<uint32_t>(k));
    if (k == 4) state.endpoints.erase(ServicePortName{"cache", "svc-7", "dns"});
    if (k == 8) {
      state.services.erase(ServicePortName{"cache", "svc-9", "dns"});
      state.endpoints.erase(ServicePortName{"cache", "svc-9", "dns"});
    }
    if (k == 10) {
      ProxyState extra = small_state(1501);
      const ServicePortName added{"cache", "svc-1501", "dns"};
      state.services[added] = extra.services.at(added);
      state.endpoints[added] = extra.endpoints.at(added);
    }
    REQUIRE(apply(applier, node.name(), state, false).ok());
    CHECK(ipt.last_open_used_cache("nat"));
  }
  const std::string cached = nat_rules(node.name());
  CHECK(cached.find("-A POSTROUTING -d 192.0.2.11/32 -j RETURN") != std::string::npos);
  CHECK(cached.find("cache/svc-9:dns") == std::string::npos);
  CHECK(cached.find("cache/svc-1501:dns cluster IP") != std::string::npos);
  {
    network::iptables::KernelIptables fresh_ipt;
    Applier fresh(fresh_ipt, config());
    REQUIRE(apply(fresh, node.name(), state, true).ok());
  }
  CHECK(nat_rules(node.name()) == cached);
}

TEST_CASE("counters of foreign and own rules survive a sync from the committed table") {
  cleanup_netns_with_prefix("naprxd");
  Netns node("naprxd" + std::to_string(getpid() % 100000));
  // Traffic to a ClusterIP leaves through a veth pair inside the netns (nothing answers; the
  // packets only need to cross nat OUTPUT).
  REQUIRE(node.ip("link add v0 type veth peer name v1") == 0);
  REQUIRE(node.ip("addr add 10.99.0.1/24 dev v0") == 0);
  REQUIRE(node.ip("link set v0 up") == 0);
  REQUIRE(node.ip("link set v1 up") == 0);
  REQUIRE(node.ip("route add default dev v0") == 0);
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A OUTPUT -d 192.0.2.8/32 -j RETURN -c 7 700") == 0);

  network::iptables::KernelIptables ipt;
  Applier applier(ipt, config());
  ProxyState state = small_state(2);
  REQUIRE(apply(applier, node.name(), state, true).ok());
  for (int i = 0; i < 3; ++i)
    sh("ip netns exec " + node.name() + " bash -c 'echo x > /dev/udp/172.30.0.2/53'");
  const std::string ours = counters(node.name(), "KUBE-SERVICES", "cache/svc-2:dns cluster IP");
  INFO("KUBE-SERVICES counters before: " << ours);
  CHECK(ours.rfind("0 ", 0) != 0);  // the rule saw the packets
  CHECK(counters(node.name(), "OUTPUT", "192.0.2.8") == "7 700");

  move_endpoint(state, 1, 1);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  REQUIRE(ipt.last_open_used_cache("nat"));
  CHECK(counters(node.name(), "OUTPUT", "192.0.2.8") == "7 700");
  CHECK(counters(node.name(), "KUBE-SERVICES", "cache/svc-2:dns cluster IP") == ours);

  // And once more, from the table committed by the cached sync.
  move_endpoint(state, 2, 2);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  REQUIRE(ipt.last_open_used_cache("nat"));
  CHECK(counters(node.name(), "OUTPUT", "192.0.2.8") == "7 700");
  CHECK(counters(node.name(), "KUBE-SERVICES", "cache/svc-2:dns cluster IP") == ours);
}

TEST_CASE("the committed-table cache: an editor dropped after edits without a commit, and a full sync after a same-size foreign edit") {
  cleanup_netns_with_prefix("naprxe");
  Netns node("naprxe" + std::to_string(getpid() % 100000));
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -A OUTPUT -d 192.0.2.9/32 -j RETURN") == 0);
  network::iptables::KernelIptables ipt;
  Applier applier(ipt, config());
  ProxyState state = small_state(2);
  REQUIRE(apply(applier, node.name(), state, true).ok());

  // Edits that never reach the kernel make the cache useless (its index went with the editor).
  in_netns(node.name(), [&] {
    auto nat = ipt.open("nat");
    REQUIRE(nat.ok());
    CHECK((*nat)->is_as_committed());
    CHECK((*nat)->replace_chain("NEVER-COMMITTED", {}).ok());
  });
  move_endpoint(state, 1, 1);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK_FALSE(ipt.last_open_used_cache("nat"));
  std::string nat = nat_rules(node.name());
  CHECK(sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t nat | grep -c NEVER-COMMITTED || true") == "0\n");
  CHECK(nat.find("--to-destination 10.9.1.1:5353") != std::string::npos);

  // A foreign edit of the same size and entry count is invisible to the cache's check (the
  // documented trade-off); a full sync reads the kernel's table and keeps it.
  const std::string number = sh_out("ip netns exec " + node.name() +
                                    " iptables-legacy -t nat -L OUTPUT --line-numbers -n | awk '/192.0.2.9 / {print $1}'");
  REQUIRE(number == "2\n");  // after our jump to KUBE-SERVICES
  REQUIRE(sh("ip netns exec " + node.name() + " iptables-legacy -t nat -R OUTPUT 2 -d 192.0.2.10/32 -j RETURN") == 0);
  REQUIRE(apply(applier, node.name(), state, true).ok());
  CHECK_FALSE(ipt.last_open_used_cache("nat"));
  nat = nat_rules(node.name());
  CHECK(nat.find("-A OUTPUT -d 192.0.2.10/32 -j RETURN") != std::string::npos);
  CHECK(nat.find("192.0.2.9/32") == std::string::npos);
  // And the partial syncs after it (from the cache) keep it too.
  move_endpoint(state, 2, 2);
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(ipt.last_open_used_cache("nat"));
  CHECK(nat_rules(node.name()).find("-A OUTPUT -d 192.0.2.10/32 -j RETURN") != std::string::npos);
}

TEST_CASE("x_tables editor: a chain still jumped to cannot be deleted; removing many Services at once") {
  cleanup_netns_with_prefix("naprxg");
  Netns node("naprxg" + std::to_string(getpid() % 100000));
  network::iptables::KernelIptables ipt;
  in_netns(node.name(), [&] {
    auto nat = ipt.open("nat");
    REQUIRE(nat.ok());
    network::iptables::Rule to_b;
    to_b.target = network::iptables::JumpTarget{"TEST-B"};
    REQUIRE((*nat)->ensure_chain("TEST-B").ok());
    REQUIRE((*nat)->replace_chain("TEST-A", {to_b}).ok());
    REQUIRE((*nat)->replace_chain("TEST-C", {to_b, to_b}).ok());
    const Status refused = (*nat)->delete_chain("TEST-B");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("still referenced from chain TEST-") != std::string::npos);
    REQUIRE((*nat)->replace_chain("TEST-A", {}).ok());
    CHECK_FALSE((*nat)->delete_chain("TEST-B").ok());  // TEST-C still jumps to it
    REQUIRE((*nat)->delete_rule("TEST-C", to_b).ok());  // removes both
    CHECK((*nat)->delete_chain("TEST-B").ok());
    CHECK((*nat)->delete_chain("TEST-A").ok());
    REQUIRE((*nat)->commit().ok());
  });
  CHECK(sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t nat | grep -c '^:TEST-' || true") == "1\n");

  Applier applier(ipt, config());
  ProxyState state = small_state(1200);
  REQUIRE(apply(applier, node.name(), state, true).ok());
  // One partial sync removes 1000 Services (3000 chains): all of them go, the others stay.
  for (int i = 1; i <= 1000; ++i) {
    state.services.erase(ServicePortName{"cache", "svc-" + std::to_string(i), "dns"});
    state.endpoints.erase(ServicePortName{"cache", "svc-" + std::to_string(i), "dns"});
  }
  REQUIRE(apply(applier, node.name(), state, false).ok());
  CHECK(sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t nat | grep -c '^:KUBE-SEP-'") == "400\n");
  CHECK(sh_out("ip netns exec " + node.name() + " iptables-legacy-save -t nat | grep -c '^:KUBE-SVC-'") == "200\n");
}
