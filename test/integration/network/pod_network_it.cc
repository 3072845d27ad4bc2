// Integration tests of NodePodNetwork against the real kernel: "nodes" and "pods" are network
// namespaces this test creates (see netns_fixture.h); traffic is real HTTP over the veths,
// the bridge and a veth underlay between two node namespaces. Needs root.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "network/netlink/netns.h"
#include "network/netlink/node_address.h"
#include "network/pod/pod_network_impl.h"
#include "network/pod/veth_name.h"
#include "network/podfiles/pod_files.h"
#include "test/integration/network/netns_fixture.h"
#include "util/ipv4.h"

using namespace nodeagent;
using namespace nodeagent::network;
using namespace nodeagent::network::testing;
namespace fs = std::filesystem;

namespace {

using Node = TestNode;

PodNetworkRequest request_for(const NamedNetns& pod, const std::string& uid) {
  return PodNetworkRequest{uid, "default", pod.name(), pod.path(), false, {}};
}

std::string setup_ip(Node& node, const NamedNetns& pod, const std::string& uid) { return node.setup_pod(pod, uid); }

struct LeftoversRemoved {
  LeftoversRemoved() { remove_leftovers_of_dead_runs(); }
} leftovers_removed;

}  // namespace

TEST_CASE("a pod gets an IP in range, eth0 with a default route, and two pods talk over HTTP") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  const std::string ip_a = setup_ip(node, a, "uid-a");
  const std::string ip_b = setup_ip(node, b, "uid-b");
  auto range = *Ipv4Cidr::parse("10.244.1.0/24");
  CHECK(range.contains(*Ipv4::parse(ip_a)));
  CHECK(range.contains(*Ipv4::parse(ip_b)));
  CHECK(ip_a != ip_b);
  CHECK(ip_a != "10.244.1.1");

  CHECK(sh("ip -n " + a.name() + " -o -4 addr show dev eth0").find(ip_a + "/24") != std::string::npos);
  CHECK(sh("ip -n " + a.name() + " route show default").find("default via 10.244.1.1 dev eth0") != std::string::npos);
  CHECK(sh("ip -n " + node.ns.name() + " -o -4 addr show dev cni0").find("10.244.1.1/24") != std::string::npos);
  CHECK(sh("ip -n " + node.ns.name() + " -o link show master cni0").find(veth_name_for_pod("uid-a")) != std::string::npos);
  CHECK(node.ns.exec("cat /proc/sys/net/ipv4/ip_forward") == "1\n");
  CHECK(sh("ip -n " + node.ns.name() + " -d link show " + veth_name_for_pod("uid-a")).find("hairpin on") != std::string::npos);

  HttpServer server(b, "hello from b");
  CHECK(http_get(a, ip_b) == "hello from b");
  CHECK(http_get(node.ns, ip_b) == "hello from b");  // node -> pod

  REQUIRE(node.net->teardown("uid-a", a.path()).ok());
  REQUIRE(node.net->teardown("uid-b", b.path()).ok());
  CHECK(links_with_prefix(node.ns, "veth").empty());
  CHECK(links_with_prefix(a, "eth0").empty());
  CHECK(node.ip_files() == 0);
}

TEST_CASE("pods on two nodes talk across the underlay through static routes") {
  Node n1("n1", "10.244.1.0/24", "192.168.50.1", {{"10.244.2.0/24", "192.168.50.2"}}, false);
  Node n2("n2", "10.244.2.0/24", "192.168.50.2", {{"10.244.1.0/24", "192.168.50.1"}}, false);
  connect_underlay(n1, n2);  // the routes need the underlay up first
  n1.start();
  n2.start();
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  const std::string ip_a = setup_ip(n1, a, "uid-a");
  const std::string ip_b = setup_ip(n2, b, "uid-b");
  CHECK(ip_b.rfind("10.244.2.", 0) == 0);
  CHECK(sh("ip -n " + n1.ns.name() + " route show 10.244.2.0/24").find("via 192.168.50.2") != std::string::npos);

  HttpServer server_b(b, "hello from node 2");
  HttpServer server_a(a, "hello from node 1");
  CHECK(http_get(a, ip_b) == "hello from node 2");
  CHECK(http_get(b, ip_a) == "hello from node 1");
  CHECK(http_get(n1.ns, ip_b) == "hello from node 2");  // node 1 -> pod on node 2

  // Routes follow Node objects: removed, then back with set_routes(); foreign routes stay.
  sh("ip -n " + n1.ns.name() + " route add 10.99.0.0/16 via 192.168.50.2");
  REQUIRE(n1.net->set_routes({}).ok());
  CHECK(sh("ip -n " + n1.ns.name() + " route show 10.244.2.0/24").empty());
  CHECK_FALSE(sh("ip -n " + n1.ns.name() + " route show 10.99.0.0/16").empty());
  CHECK(http_get(a, ip_b).empty());
  REQUIRE(n1.net->set_routes({{"10.244.2.0/24", "192.168.50.2"}}).ok());
  CHECK(sh("ip -n " + n1.ns.name() + " route show 10.244.2.0/24").find("proto 167") != std::string::npos);
  CHECK(http_get(a, ip_b) == "hello from node 2");
}

TEST_CASE("routes to a node that is not reachable yet fail with a clear error at start") {
  NamedNetns ns(unique_name("n1"));
  TempDir state("na-net-it");
  NodeNetworkConfig config;
  config.pod_cidr = "10.244.1.0/24";
  config.node_ip = "192.168.50.1";
  config.routes = {{"10.244.2.0/24", "192.168.50.2"}};
  config.state_dir = state.path();
  config.node_netns_path = ns.path();
  auto started = start_node_network(config, nullptr);
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message.find("route 10.244.2.0/24 via 192.168.50.2") != std::string::npos);

  config.pod_cidr = "10.244.1.0/33";
  auto invalid_cidr = start_node_network(config, nullptr);
  REQUIRE_FALSE(invalid_cidr.ok());
  CHECK(invalid_cidr.error().message == "--pod-cidr: \"10.244.1.0/33\" is not a valid CIDR: prefix length must be 0-32");
}

TEST_CASE("without --node-ip the node's IP is the default route's interface address") {
  // Veth pairs with both ends in the test netns (no dummy module here): a default route over
  // one stays inside the namespace, let alone the machine.
  NamedNetns ns(unique_name("ip"));
  int rc = 0;
  // One `sh -c` so that every step runs inside the namespace, not only the first.
  ns.exec("sh -c 'ip link add d0 type veth peer name d0p && ip link add d1 type veth peer name d1p && "
          "ip link add cni0 type bridge && "
          "ip addr add 10.244.1.1/24 dev cni0 && ip link set cni0 up && "
          "ip addr add 172.31.5.2/24 dev d0 && ip addr add 192.168.90.2/24 dev d1 && "
          "ip link set d0 up && ip link set d1 up && ip route add default via 192.168.90.1 dev d1'", &rc);
  REQUIRE(rc == 0);
  auto discover = [&] {
    return run_in_netns_for<Ipv4>(ns.path(), [] { return discover_node_ip({"cni0"}); });
  };
  auto ip = discover();
  REQUIRE(ip.ok());
  CHECK(ip->str() == "192.168.90.2");

  // No default route: the first global address that is not the bridge's.
  ns.exec("sh -c 'ip route del default && ip link set d0 down'", &rc);
  REQUIRE(rc == 0);
  ip = discover();
  REQUIRE(ip.ok());
  CHECK(ip->str() == "192.168.90.2");

  ns.exec("ip link set d1 down", &rc);
  auto none = discover();
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("set --node-ip") != std::string::npos);
}

TEST_CASE("the configured MTU is on the bridge and on both ends of the veth") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1", {}, false);
  node.config.mtu = 1400;
  node.start();
  NamedNetns a(unique_name("pa"));
  setup_ip(node, a, "uid-a");
  CHECK(sh("ip -n " + node.ns.name() + " -o link show cni0").find("mtu 1400") != std::string::npos);
  CHECK(sh("ip -n " + node.ns.name() + " -o link show " + veth_name_for_pod("uid-a")).find("mtu 1400") != std::string::npos);
  CHECK(sh("ip -n " + a.name() + " -o link show eth0").find("mtu 1400") != std::string::npos);
}

TEST_CASE("hostNetwork pods use the node's netns: node IP, no veth, the node's interfaces") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  PodNetworkRequest req{"uid-h", "kube-system", "agent", "", true, {}};
  auto status = node.net->setup(req);
  REQUIRE(status.ok());
  CHECK(status->pod_ips == std::vector<std::string>{"192.168.50.1"});
  CHECK(status->host_ip == "192.168.50.1");
  CHECK(links_with_prefix(node.ns, "veth").empty());
  CHECK(node.ip_files() == 0);
  // A container of this pod joins the node's netns: it sees the bridge.
  CHECK(node.ns.exec("ip -o link show cni0").find("cni0") != std::string::npos);
}

TEST_CASE("a failed set-up (netns gone) leaves no veth and no IP") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  PodNetworkRequest req{"uid-x", "default", "x", "/run/netns/" + unique_name("does-not-exist"), false, {}};
  auto status = node.net->setup(req);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message.rfind("pod default/x: pod netns /run/netns/", 0) == 0);
  CHECK(links_with_prefix(node.ns, "veth").empty());
  CHECK(node.ip_files() == 0);
}

TEST_CASE("pod files carry the pod IP and the cluster DNS settings") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  NamedNetns pod_ns(unique_name("pa"));
  const std::string ip = setup_ip(node, pod_ns, "uid-a");
  kube::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "shop";
  pod.spec.host_aliases = {{"10.1.2.3", {"db.local"}}};
  NodeFacts facts{"node-1", "127.0.0.1 localhost\n", {{"10.96.0.10"}, "cluster.local", "search corp.example\n"}};
  auto files = render_pod_files(pod, {ip}, facts);
  REQUIRE(files.ok());
  TempDir dir("na-net-it");
  auto paths = write_pod_files(dir.path(), *files);
  REQUIRE(paths.ok());
  // Read back as a container process would, from inside the pod's netns.
  const std::string hosts = pod_ns.exec("cat " + paths->hosts);
  CHECK(hosts.rfind("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n", 0) == 0);
  CHECK(hosts.find(ip + "\tweb\n") != std::string::npos);
  CHECK(hosts.find("10.1.2.3\tdb.local\n") != std::string::npos);
  CHECK(pod_ns.exec("cat " + paths->resolv_conf) ==
        "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5\n");
  CHECK(pod_ns.exec("cat " + paths->hostname) == "web\n");
}

TEST_CASE("an agent restart keeps IPs, veths and connections of running pods") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  const std::string ip_a = setup_ip(node, a, "uid-a");
  const std::string ip_b = setup_ip(node, b, "uid-b");
  const std::string veth_before = sh("ip -n " + node.ns.name() + " -o link show " + veth_name_for_pod("uid-b"));
  HttpServer server(b, "still here");
  REQUIRE(http_get(a, ip_b) == "still here");

  // The old instance is dropped without any teardown (as a kill -9 would), a new one starts.
  node.start();
  CHECK(node.net->status("uid-a")->pod_ips == std::vector<std::string>{ip_a});
  // The pod worker re-syncs its pods: same IPs, the veth is adopted, not recreated.
  CHECK(setup_ip(node, a, "uid-a") == ip_a);
  CHECK(setup_ip(node, b, "uid-b") == ip_b);
  CHECK(sh("ip -n " + node.ns.name() + " -o link show " + veth_name_for_pod("uid-b")) == veth_before);
  CHECK(http_get(a, ip_b) == "still here");
  // A new pod never gets an IP a running pod holds.
  NamedNetns c(unique_name("pc"));
  const std::string ip_c = setup_ip(node, c, "uid-c");
  CHECK(ip_c != ip_a);
  CHECK(ip_c != ip_b);
}

TEST_CASE("restart in the middle of a set-up: the next sync repairs the half-made pod") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  const std::string ip_a = setup_ip(node, a, "uid-a");
  // Simulate a crash after the veth was made but before the pod side was configured.
  sh("ip -n " + a.name() + " addr flush dev eth0");
  node.start();
  CHECK(setup_ip(node, a, "uid-a") == ip_a);
  CHECK(sh("ip -n " + a.name() + " -o -4 addr show dev eth0").find(ip_a + "/24") != std::string::npos);
  // A stray eth0 in the pod netns (e.g. from another veth pair) is replaced, not fatal.
  sh("ip -n " + b.name() + " link add eth0 type dummy");
  const std::string ip_b = setup_ip(node, b, "uid-b");
  CHECK(sh("ip -n " + b.name() + " -d link show eth0").find("veth") != std::string::npos);
  HttpServer server(a, "repaired");
  CHECK(http_get(b, ip_a) == "repaired");
}

TEST_CASE("garbage collection after pods died while the agent was down") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  NamedNetns a(unique_name("pa"));
  setup_ip(node, a, "uid-a");
  {
    NamedNetns gone(unique_name("pgone"));
    setup_ip(node, gone, "uid-gone");
  }  // its netns is deleted: the kernel removes the veth pair, the IP file stays
  REQUIRE(node.ip_files() == 2);
  node.start();
  REQUIRE(node.net->garbage_collect({"uid-a"}).ok());
  CHECK(node.ip_files() == 1);
  CHECK(node.net->status("uid-gone").error().code == ErrorCode::kNotFound);
  CHECK(links_with_prefix(node.ns, "veth") == std::vector<std::string>{veth_name_for_pod("uid-a")});
}

TEST_CASE("200 create/delete cycles leave no veth, no allocated IP and no netns") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  for (int i = 0; i < 200; ++i) {
    NamedNetns pod_ns(unique_name("cycle"));
    const std::string uid = "uid-cycle-" + std::to_string(i);
    auto status = node.net->setup(request_for(pod_ns, uid));
    if (!status.ok()) FAIL("cycle " << i << ": " << status.error().message);
    auto down = node.net->teardown(uid, pod_ns.path());
    if (!down.ok()) FAIL("cycle " << i << ": " << down.error().message);
  }
  CHECK(links_with_prefix(node.ns, "veth").empty());
  CHECK(node.ip_files() == 0);
  CHECK_FALSE(fs::exists("/run/netns/" + unique_name("cycle")));
  CHECK(sh("ip -n " + node.ns.name() + " -o link show").find("eth0") == std::string::npos);
}

TEST_CASE("concurrent set-ups and teardowns from several pod workers") {
  Node node("n1", "10.244.1.0/24", "192.168.50.1");
  constexpr int kWorkers = 4, kPodsPerWorker = 8;
  std::vector<std::unique_ptr<NamedNetns>> pods;
  for (int i = 0; i < kWorkers * kPodsPerWorker; ++i) pods.push_back(std::make_unique<NamedNetns>(unique_name("cc" + std::to_string(i))));
  std::vector<std::string> ips(pods.size()), errors(pods.size());
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int k = 0; k < kPodsPerWorker; ++k) {
        const int i = w * kPodsPerWorker + k;
        auto status = node.net->setup(request_for(*pods[i], "uid-cc-" + std::to_string(i)));
        if (status.ok()) ips[i] = status->pod_ips[0];
        else errors[i] = status.error().message;
      }
    });
  }
  for (auto& t : workers) t.join();
  std::set<std::string> distinct;
  for (size_t i = 0; i < pods.size(); ++i) {
    INFO("pod " << i << ": " << errors[i]);
    CHECK(errors[i].empty());
    distinct.insert(ips[i]);
  }
  CHECK(distinct.size() == pods.size());
  HttpServer server(*pods.back(), "last");
  CHECK(http_get(*pods.front(), ips.back()) == "last");

  workers.clear();
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int k = 0; k < kPodsPerWorker; ++k) {
        const int i = w * kPodsPerWorker + k;
        node.net->teardown("uid-cc-" + std::to_string(i), pods[i]->path()).ignore_error();
      }
    });
  }
  for (auto& t : workers) t.join();
  CHECK(links_with_prefix(node.ns, "veth").empty());
  CHECK(node.ip_files() == 0);
}
