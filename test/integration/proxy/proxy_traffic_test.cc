// Real traffic through the proxy's rules, entirely inside namespaces this test creates:
//
//   pod1 10.180.1.2 ─┐                       ┌─ pod3 10.180.2.2
//   pod2 10.180.1.3 ─┤ node1 (proxy, node-a) ├─ node2 (client "outside", node-b)
//                    └── 192.168.77.1 ─ 192.168.77.2 ──┘
//
// Service IPs 172.30.0.0/16 route towards node2, which drops them: nothing leaves the namespaces.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>

#include "netns_harness.h"
#include "network/iptables/kernel_table.h"
#include "network/iptables/libiptc_table.h"
#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/conntrack.h"
#include "test/support/proxy_objects.h"
#include "network/proxy/runner.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using namespace proxytest;
using nlohmann::json;

namespace {

struct Cluster {
  std::string prefix = "naprx" + std::to_string(getpid() % 100000);
  // Leftovers of a crashed earlier run go first.
  bool cleaned = (cleanup_netns_with_prefix("naprx-"), cleanup_netns_with_prefix(prefix), true);
  Netns node1{prefix + "-n1"}, node2{prefix + "-n2"};
  Netns pod1{prefix + "-p1"}, pod2{prefix + "-p2"}, pod3{prefix + "-p3"};

  Cluster() {
    attach_pod(node1, pod1, "p1", "10.180.1.2", "10.180.1.1");
    attach_pod(node1, pod2, "p2", "10.180.1.3", "10.180.1.1");
    attach_pod(node2, pod3, "p3", "10.180.2.2", "10.180.2.1");
    REQUIRE(node1.ip("link add n2 type veth peer name n1 netns " + node2.name()) == 0);
    node1.ip("addr add 192.168.77.1/24 dev n2");
    node1.ip("link set n2 up");
    node2.ip("addr add 192.168.77.2/24 dev n1");
    node2.ip("link set n1 up");
    node1.ip("route add 10.180.2.0/24 via 192.168.77.2");
    node2.ip("route add 10.180.1.0/24 via 192.168.77.1");
    // Service IPs need a route for the first lookup; node2 has none for them, so anything
    // not DNATed dies there.
    node1.ip("route add 172.30.0.0/16 via 192.168.77.2");
    // The LoadBalancer VIP: node2 sends it to node1; node1 (where the VIP is not DNATed) sends
    // it back, so a packet the firewall does not stop would bounce until its TTL runs out.
    node2.ip("route add 198.51.100.0/24 via 192.168.77.1");
    node1.ip("route add 198.51.100.0/24 via 192.168.77.2");
    for (auto* n : {&node1, &node2}) sh("ip netns exec " + n->name() + " sysctl -qw net.ipv4.ip_forward=1");
  }

  static void attach_pod(Netns& node, Netns& pod, const std::string& dev, const std::string& ip, const std::string& gw) {
    REQUIRE(node.ip("link add " + dev + " type veth peer name eth0 netns " + pod.name()) == 0);
    node.ip("addr add " + gw + "/32 dev " + dev);
    node.ip("link set " + dev + " up");
    node.ip("route add " + ip + "/32 dev " + dev);
    pod.ip("addr add " + ip + "/32 dev eth0");
    pod.ip("link set eth0 up");
    pod.ip("route add " + gw + " dev eth0");
    pod.ip("route add default via " + gw);
  }
};

json slice(const std::string& svc, const std::string& port_name, int port, const std::string& proto,
           const std::vector<std::tuple<std::string, std::string, bool>>& eps) {
  json j = {{"metadata", {{"name", svc + "-1"}, {"namespace", "default"}, {"labels", {{"kubernetes.io/service-name", svc}}}}},
            {"addressType", "IPv4"},
            {"ports", json::array({{{"name", port_name}, {"port", port}, {"protocol", proto}}})},
            {"endpoints", json::array()}};
  for (const auto& [ip, node, ready] : eps)
    j["endpoints"].push_back({{"addresses", {ip}}, {"nodeName", node}, {"conditions", {{"ready", ready}}}});
  return j;
}

void add_service(ChangeTracker& t, const std::string& text) {
  auto svc = service_from_json(json::parse(text));
  INFO((svc.ok() ? "" : svc.error().message));
  REQUIRE(svc.ok());
  REQUIRE(t.upsert_service(*svc).ok());
}
void add_slice(ChangeTracker& t, const json& j) {
  auto s = endpoint_slice_from_json(j);
  INFO((s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  t.upsert_endpoint_slice(*s);
}

// The Services of the scenario, with their endpoints.
void load_services(ChangeTracker& t) {
  add_service(t, R"({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIP": "172.30.0.10",
      "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080}]}})");
  add_slice(t, slice("web", "http", 8080, "TCP", {{"10.180.1.2", "node-a", true}, {"10.180.2.2", "node-b", true}}));
  add_service(t, R"({"metadata": {"name": "dns"}, "spec": {"clusterIP": "172.30.0.11",
      "ports": [{"name": "dns", "port": 53, "targetPort": 5353, "protocol": "UDP"}]}})");
  add_slice(t, slice("dns", "dns", 5353, "UDP", {{"10.180.1.2", "node-a", true}, {"10.180.1.3", "node-a", true}}));
  add_service(t, R"({"metadata": {"name": "local"}, "spec": {"type": "NodePort", "clusterIP": "172.30.0.12",
      "externalTrafficPolicy": "Local", "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30081}]}})");
  add_slice(t, slice("local", "http", 8080, "TCP", {{"10.180.1.2", "node-a", true}, {"10.180.2.2", "node-b", true}}));
  add_service(t, R"({"metadata": {"name": "remote-only"}, "spec": {"type": "NodePort", "clusterIP": "172.30.0.15",
      "externalTrafficPolicy": "Local", "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30082}]}})");
  add_slice(t, slice("remote-only", "http", 8080, "TCP", {{"10.180.2.2", "node-b", true}}));
  add_service(t, R"({"metadata": {"name": "sticky"}, "spec": {"clusterIP": "172.30.0.13", "sessionAffinity": "ClientIP",
      "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})");
  add_slice(t, slice("sticky", "http", 8080, "TCP", {{"10.180.1.2", "node-a", true}, {"10.180.1.3", "node-a", true}}));
  add_service(t, R"({"metadata": {"name": "fw"}, "spec": {"type": "LoadBalancer", "clusterIP": "172.30.0.16",
      "loadBalancerSourceRanges": ["192.168.77.2/32"],
      "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30083}]},
      "status": {"loadBalancer": {"ingress": [{"ip": "198.51.100.10"}]}}})");
  add_slice(t, slice("fw", "http", 8080, "TCP", {{"10.180.1.2", "node-a", true}}));
  add_service(t, R"({"metadata": {"name": "empty"}, "spec": {"clusterIP": "172.30.0.14",
      "ports": [{"name": "http", "port": 80, "targetPort": 8080},
                {"name": "udp", "port": 80, "targetPort": 8080, "protocol": "UDP"}]}})");
}

struct Proxy {
  ChangeTracker tracker{"node-a"};
  // PROXY_BACKEND=libiptc runs the same scenario through libiptc instead of the blob editor.
  std::unique_ptr<network::iptables::Iptables> ipt_owner =
      std::getenv("PROXY_BACKEND") && std::string(std::getenv("PROXY_BACKEND")) == "libiptc"
          ? std::unique_ptr<network::iptables::Iptables>(new network::iptables::LibiptcIptables())
          : std::unique_ptr<network::iptables::Iptables>(new network::iptables::KernelIptables());
  network::iptables::Iptables& ipt = *ipt_owner;
  std::unique_ptr<Applier> applier;
  std::unique_ptr<Conntrack> conntrack = make_netfilter_conntrack();
  std::unique_ptr<Runner> runner;
  std::string netns;

  explicit Proxy(std::string ns) : netns(std::move(ns)) {
    load_services(tracker);
    start();
  }
  void start() {
    CompilerConfig config;
    config.cluster_cidr = network::iptables::parse_cidr("10.180.0.0/16");
    applier = std::make_unique<Applier>(ipt, config);
    RunnerConfig rc;
    rc.min_sync_period = std::chrono::milliseconds(100);
    rc.thread_init = [ns = netns] { enter_netns(ns); };
    runner = std::make_unique<Runner>(tracker, *applier, conntrack.get(), rc);
    runner->start();
    REQUIRE(runner->wait_synced(std::chrono::seconds(10)));
  }
  void restart() {
    runner->stop();
    runner.reset();
    applier.reset();
    start();
  }
  void synced() {
    REQUIRE(runner->wait_synced(std::chrono::seconds(10)));
    INFO(runner->status().last_error);
    REQUIRE(runner->status().last_error.empty());
  }
};

std::string backend(const Reply& r) { return r.text.substr(0, r.text.find(' ')); }
std::string client_ip(const Reply& r) { return r.text.substr(r.text.find(' ') + 1); }

}  // namespace

TEST_CASE("service proxy with real traffic", "[integration]") {
  Cluster c;
  EchoServer s1(c.pod1.name(), EchoServer::kTcp, 8080, "pod1");
  EchoServer s2(c.pod2.name(), EchoServer::kTcp, 8080, "pod2");
  EchoServer s3(c.pod3.name(), EchoServer::kTcp, 8080, "pod3");
  EchoServer u1(c.pod1.name(), EchoServer::kUdp, 5353, "pod1");
  EchoServer u2(c.pod2.name(), EchoServer::kUdp, 5353, "pod2");
  Proxy proxy(c.node1.name());

  SECTION("ClusterIP TCP from the node and from a pod reaches both endpoints") {
    std::set<std::string> seen_node, seen_pod;
    for (int i = 0; i < 40; ++i) {
      auto a = tcp_request(c.node1.name(), "172.30.0.10", 80);
      REQUIRE(a.ok);
      seen_node.insert(backend(a));
      auto b = tcp_request(c.pod2.name(), "172.30.0.10", 80);
      REQUIRE(b.ok);
      seen_pod.insert(backend(b));
    }
    CHECK(seen_node == std::set<std::string>{"pod1", "pod3"});
    CHECK(seen_pod == std::set<std::string>{"pod1", "pod3"});
  }

  SECTION("ClusterIP UDP from the node and from a pod") {
    std::set<std::string> seen;
    for (int i = 0; i < 30; ++i) {
      auto a = udp_request(c.node1.name(), "172.30.0.11", 53);
      REQUIRE(a.ok);
      seen.insert(backend(a));
      auto d = udp_request(c.pod1.name(), "172.30.0.11", 53);
      REQUIRE(d.ok);
      seen.insert(backend(d));
    }
    CHECK(seen == std::set<std::string>{"pod1", "pod2"});
  }

  SECTION("NodePort from a second node; masqueraded under Cluster policy") {
    for (int i = 0; i < 10; ++i) {
      auto r = tcp_request(c.node2.name(), "192.168.77.1", 30080);
      REQUIRE(r.ok);
      CHECK(client_ip(r) != "192.168.77.2");
    }
  }

  SECTION("externalTrafficPolicy Local keeps the client IP and drops without local endpoints") {
    for (int i = 0; i < 10; ++i) {
      auto r = tcp_request(c.node2.name(), "192.168.77.1", 30081);
      REQUIRE(r.ok);
      CHECK(backend(r) == "pod1");
      CHECK(client_ip(r) == "192.168.77.2");
    }
    auto dropped = tcp_request(c.node2.name(), "192.168.77.1", 30082, 500);
    CHECK_FALSE(dropped.ok);
    CHECK(dropped.timed_out);
    CHECK_FALSE(dropped.refused);
    // Pods and the node itself short-circuit to the cluster-wide endpoints, as in kube-proxy:
    // "remote-only" has no local endpoint, yet its NodePort works from inside the node.
    auto from_pod = tcp_request(c.pod1.name(), "192.168.77.1", 30082);
    CHECK(from_pod.ok);
    CHECK(backend(from_pod) == "pod3");
    auto from_node = tcp_request(c.node1.name(), "192.168.77.1", 30082);
    CHECK(from_node.ok);
    CHECK(backend(from_node) == "pod3");
  }

  SECTION("loadBalancerSourceRanges: allowed sources reach the LB IP, others are dropped; NodePorts stay open") {
    for (int i = 0; i < 5; ++i) {
      auto r = tcp_request(c.node2.name(), "198.51.100.10", 80);  // from 192.168.77.2: allowed
      REQUIRE(r.ok);
      CHECK(backend(r) == "pod1");
    }
    auto blocked = tcp_request(c.pod3.name(), "198.51.100.10", 80, 500);  // from 10.180.2.2
    CHECK(blocked.timed_out);
    const std::string counters = sh_out("ip netns exec " + c.node1.name() +
                                        " iptables-legacy -t filter -L KUBE-PROXY-FIREWALL -v -n -x");
    INFO(counters);
    CHECK(counters.find("DROP") != std::string::npos);
    CHECK(counters.find("    0     0 DROP") == std::string::npos);  // the drop counted packets
    // kube-proxy: "nodeports are not subject to loadBalancerSourceRanges".
    auto node_port = tcp_request(c.pod3.name(), "192.168.77.1", 30083);
    CHECK(node_port.ok);
  }

  SECTION("ClientIP affinity sticks to one endpoint") {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
      auto r = tcp_request(c.node1.name(), "172.30.0.13", 80);
      REQUIRE(r.ok);
      seen.insert(backend(r));
    }
    CHECK(seen.size() == 1);
  }

  SECTION("no endpoints: refused at once, not a timeout") {
    for (const auto& ns : {c.node1.name(), c.pod1.name(), c.node1.name()}) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = tcp_request(ns, "172.30.0.14", 80, 5000);
      auto took = std::chrono::steady_clock::now() - t0;
      INFO(ns << " took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
      CHECK(r.refused);
      // Every SYN is rejected (the REJECT counter shows it), but Linux sometimes records the
      // ICMP error of the first SYN only as a soft error (socket busy in connect()), so the
      // refusal can come with the 1 s / 2 s SYN retransmits. A DROP would hang for minutes.
      CHECK(took < std::chrono::milliseconds(3500));
    }
    auto udp = udp_request(c.pod1.name(), "172.30.0.14", 80, 2000);
    CHECK(udp.refused);
  }

  SECTION("an endpoint that becomes unready is removed") {
    add_slice(proxy.tracker, slice("web", "http", 8080, "TCP", {{"10.180.1.2", "node-a", true}, {"10.180.2.2", "node-b", false}}));
    proxy.synced();
    for (int i = 0; i < 20; ++i) {
      auto r = tcp_request(c.node1.name(), "172.30.0.10", 80);
      REQUIRE(r.ok);
      CHECK(backend(r) == "pod1");
    }
    const std::string nat = sh_out("ip netns exec " + c.node1.name() + " iptables-legacy-save -t nat");
    CHECK(nat.find("default/web:http -> 10.180.2.2:8080") == std::string::npos);
    CHECK(nat.find("default/web:http -> 10.180.1.2:8080") != std::string::npos);
  }

  SECTION("UDP: removing the endpoint a flow uses deletes its conntrack entry") {
    auto first = udp_request(c.node1.name(), "172.30.0.11", 53, 1000, 40053);
    REQUIRE(first.ok);
    const std::string used = backend(first);
    const std::string other = used == "pod1" ? "pod2" : "pod1";
    const std::string other_ip = other == "pod1" ? "10.180.1.2" : "10.180.1.3";
    add_slice(proxy.tracker, slice("dns", "dns", 5353, "UDP", {{other_ip, "node-a", true}}));
    proxy.synced();
    auto again = udp_request(c.node1.name(), "172.30.0.11", 53, 1000, 40053);
    REQUIRE(again.ok);
    CHECK(backend(again) == other);
  }

  SECTION("restart of the proxier keeps a steady request loop going") {
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::thread loop([&] {
      while (!stop && ok + failed < 2000) {
        auto r = tcp_request(c.node2.name(), "192.168.77.1", 30080, 1000);
        (r.ok ? ok : failed)++;
      }
    });
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      proxy.restart();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
    loop.join();
    INFO("ok=" << ok << " failed=" << failed);
    CHECK(ok > 50);
    CHECK(failed == 0);
  }
}
