#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "network/pod/node_network_config.h"
#include "network/pod/pod_network_impl.h"
#include "network/pod/veth_name.h"
#include "test/fakes/fake_pod_network.h"
#include "test/unit/network/fake_netlink_ops.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::network;
using nodeagent::testing::TempDir;

namespace {


NodeNetworkConfig base_config(const std::string& state_dir) {
  NodeNetworkConfig c;
  c.pod_cidr = "10.244.1.0/24";
  c.node_ip = "192.168.50.1";
  c.cluster_cidr = "10.244.0.0/16";
  c.routes = {{"10.244.2.0/24", "192.168.50.2"}};
  c.state_dir = state_dir;
  return c;
}

// A NodePodNetwork over fakes; the fakes stay reachable through the raw pointers.
struct Harness {
  TempDir dir{"na-podnet-test"};
  FakeNetlinkOps* ops = nullptr;
  FakePodNat* nat = nullptr;
  std::unique_ptr<NodePodNetwork> net;

  explicit Harness(bool with_nat = true, const char* pod_cidr = "10.244.1.0/24") {
    auto config = base_config(dir.path());
    config.pod_cidr = pod_cidr;
    auto valid = validate(config);
    REQUIRE(valid.ok());
    auto fake_ops = std::make_unique<FakeNetlinkOps>();
    ops = fake_ops.get();
    std::unique_ptr<FakePodNat> fake_nat;
    if (with_nat) {
      fake_nat = std::make_unique<FakePodNat>();
      nat = fake_nat.get();
    }
    auto ipam = Ipam::open(valid->ipam_dir, valid->pod_cidr);
    REQUIRE(ipam.ok());
    net = std::make_unique<NodePodNetwork>(*valid, std::move(fake_ops), std::move(ipam).value(), std::move(fake_nat));
  }
};

PodNetworkRequest pod(const std::string& name, const std::string& uid) {
  return PodNetworkRequest{uid, "default", name, "/run/netns/" + name, false, {}};
}

}  // namespace

TEST_CASE("config validation names the flag and the problem") {
  TempDir dir("na-podnet-test");
  auto check = [&](auto mutate, const std::string& expected) {
    auto c = base_config(dir.path());
    mutate(c);
    auto v = validate(c);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == ErrorCode::kInvalid);
    CHECK(v.error().message == expected);
  };
  REQUIRE(validate(base_config(dir.path())).ok());
  check([](auto& c) { c.pod_cidr = ""; }, "--pod-cidr: required (the node's pod range, e.g. 10.244.1.0/24)");
  check([](auto& c) { c.pod_cidr = "10.244.1.0/33"; },
        "--pod-cidr: \"10.244.1.0/33\" is not a valid CIDR: prefix length must be 0-32");
  check([](auto& c) { c.pod_cidr = "10.244.1.0/31"; },
        "--pod-cidr: \"10.244.1.0/31\" is too small: a /30 or larger is needed for the gateway and one pod");
  check([](auto& c) { c.node_ip = "300.1.1.1"; }, "--node-ip: \"300.1.1.1\" is not a valid IPv4 address");
  check([](auto& c) { c.node_ip = "10.244.1.9"; }, "--node-ip: 10.244.1.9 is inside --pod-cidr 10.244.1.0/24");
  check([](auto& c) { c.mtu = 100; }, "--network-mtu: 100 must be 576-65535");
  check([](auto& c) { c.bridge_name = "a-very-long-bridge-name"; },
        "--network-bridge: \"a-very-long-bridge-name\" is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
  check([](auto& c) { c.cluster_cidr = "10.245.0.0/16"; },
        "--cluster-cidr: 10.245.0.0/16 does not contain --pod-cidr 10.244.1.0/24");
  check([](auto& c) { c.routes = {{"10.244.1.0/25", "192.168.50.2"}}; },
        "--node-routes[0]: 10.244.1.0/25 overlaps this node's --pod-cidr 10.244.1.0/24");
  check([](auto& c) { c.routes.push_back({"10.244.2.128/25", "192.168.50.3"}); },
        "--node-routes[1]: 10.244.2.128/25 overlaps the route to 10.244.2.0/24");
  check([](auto& c) { c.routes = {{"10.244.2.0/24", "x"}}; }, "--node-routes[0]: \"x\" is not a valid IPv4 address");
}

TEST_CASE("veth names are derived from the pod UID, 15 characters") {
  const std::string name = veth_name_for_pod("7f1c2a9e-0000-4000-8000-000000000001");
  CHECK(name.size() == 15);
  CHECK(is_pod_veth_name(name));
  CHECK(name == veth_name_for_pod("7f1c2a9e-0000-4000-8000-000000000001"));
  CHECK(name != veth_name_for_pod("7f1c2a9e-0000-4000-8000-000000000002"));
  CHECK_FALSE(is_pod_veth_name("veth1234abcd"));  // CNI's 12-character names are not ours
  CHECK_FALSE(is_pod_veth_name("eth0"));
}

TEST_CASE("sync_node makes the bridge with the gateway, forwarding, routes and masquerade") {
  Harness h;
  REQUIRE(h.net->sync_node().ok());
  REQUIRE(h.ops->bridge.has_value());
  CHECK(h.ops->bridge->name == "cni0");
  CHECK(h.ops->bridge->address.str() == "10.244.1.1/24");
  CHECK(h.ops->sysctls.at("net/ipv4/ip_forward") == "1");
  REQUIRE(h.ops->routes.size() == 1);
  CHECK(h.ops->routes[0].destination.str() == "10.244.2.0/24");
  CHECK(h.ops->routes[0].via.str() == "192.168.50.2");
  REQUIRE(h.nat->masquerade.has_value());
  CHECK(h.nat->masquerade->second.str() == "10.244.0.0/16");
}

TEST_CASE("set_routes adds new routes, replaces changed ones and removes stale ones") {
  Harness h;
  REQUIRE(h.net->sync_node().ok());
  h.ops->routes.push_back(RouteSpec{*Ipv4Cidr::parse("10.244.9.0/24"), *Ipv4::parse("192.168.50.9")});  // stale
  REQUIRE(h.net->set_routes({{"10.244.2.0/24", "192.168.50.20"}, {"10.244.3.0/24", "192.168.50.3"}}).ok());
  REQUIRE(h.ops->routes.size() == 2);
  CHECK(h.ops->routes[0].via.str() == "192.168.50.20");
  CHECK(h.ops->routes[1].destination.str() == "10.244.3.0/24");
  auto bad = h.net->set_routes({{"10.244.1.0/24", "192.168.50.3"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "routes[0]: 10.244.1.0/24 overlaps this node's --pod-cidr 10.244.1.0/24");
  CHECK(h.ops->routes.size() == 2);  // unchanged
  REQUIRE(h.net->set_routes({}).ok());
  CHECK(h.ops->routes.empty());
}

TEST_CASE("setup gives a pod an IP and a veth with the gateway; teardown undoes both") {
  Harness h;
  auto status = h.net->setup(pod("web", "uid-web"));
  REQUIRE(status.ok());
  CHECK(status->pod_ips == std::vector<std::string>{"10.244.1.2"});
  CHECK(status->host_ip == "192.168.50.1");
  const auto& spec = h.ops->pod_links.at(veth_name_for_pod("uid-web"));
  CHECK(spec.address.str() == "10.244.1.2/24");
  CHECK(spec.gateway.str() == "10.244.1.1");
  CHECK(spec.netns_path == "/run/netns/web");
  CHECK(spec.pod_ifname == "eth0");
  CHECK(*h.net->status("uid-web") == *status);
  // Idempotent: a re-sync returns the same IP.
  CHECK(h.net->setup(pod("web", "uid-web"))->pod_ips == status->pod_ips);

  REQUIRE(h.net->teardown("uid-web", "/run/netns/web").ok());
  CHECK(h.ops->pod_links.empty());
  CHECK(h.net->status("uid-web").error().code == ErrorCode::kNotFound);
  REQUIRE(h.net->teardown("uid-web", "").ok());  // again: no error
}

TEST_CASE("a failed interface set-up leaves no veth and no IP behind") {
  Harness h;
  h.ops->fail_pod_interface = internal("veth vethx: create: Operation not permitted");
  auto status = h.net->setup(pod("web", "uid-web"));
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "pod default/web: veth vethx: create: Operation not permitted");
  CHECK(h.ops->pod_links.empty());
  CHECK(h.net->status("uid-web").error().code == ErrorCode::kNotFound);
}

TEST_CASE("a failed re-sync of a running pod keeps its IP and veth for the next sync to repair") {
  Harness h;
  auto first = h.net->setup(pod("web", "uid-web"));
  REQUIRE(first.ok());
  h.ops->fail_pod_interface = internal("pod netns /run/netns/web: eth0: set up: Object busy");
  REQUIRE_FALSE(h.net->setup(pod("web", "uid-web")).ok());
  CHECK(h.net->status("uid-web")->pod_ips == first->pod_ips);
  CHECK(h.ops->pod_links.contains(veth_name_for_pod("uid-web")));
  h.ops->fail_pod_interface.reset();
  CHECK(h.net->setup(pod("web", "uid-web"))->pod_ips == first->pod_ips);
}

TEST_CASE("exhausted range: error names the pod and the range") {
  Harness h(true, "10.244.1.0/30");  // one pod IP
  REQUIRE(h.net->setup(pod("a", "uid-a")).ok());
  auto full = h.net->setup(pod("x", "uid-x"));
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == ErrorCode::kFailedPrecondition);
  CHECK(full.error().message == "pod default/x: no free IP in 10.244.1.0/30");
}

TEST_CASE("hostNetwork pods get the node's IP and no veth") {
  Harness h;
  auto req = pod("agent", "uid-agent");
  req.host_network = true;
  req.netns_path.clear();
  auto status = h.net->setup(req);
  REQUIRE(status.ok());
  CHECK(status->pod_ips == std::vector<std::string>{"192.168.50.1"});
  CHECK(h.ops->pod_links.empty());
  CHECK(h.net->status("uid-agent").error().code == ErrorCode::kNotFound);
}

TEST_CASE("hostPort conflicts are rejected and the new pod is rolled back") {
  Harness h;
  auto a = pod("a", "uid-a");
  a.host_ports = {{8080, 80, "TCP", ""}};
  REQUIRE(h.net->setup(a).ok());
  auto b = pod("b", "uid-b");
  b.host_ports = {{8080, 8080, "TCP", ""}};
  auto conflict = h.net->setup(b);
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().code == ErrorCode::kAlreadyExists);
  CHECK(conflict.error().message == "pod default/b: hostPort 8080/TCP is already used by pod default/a");
  CHECK(h.ops->pod_links.size() == 1);
  CHECK(h.ops->deletes == 0);  // refused before any veth was made
  CHECK(h.net->status("uid-b").error().code == ErrorCode::kNotFound);
  // Same port, other protocol: fine.
  b.host_ports[0].protocol = "UDP";
  CHECK(h.net->setup(b).ok());
}

TEST_CASE("hostPorts without iptables support are refused clearly") {
  Harness h(false);
  auto a = pod("a", "uid-a");
  a.host_ports = {{8080, 80, "TCP", ""}};
  auto refused = h.net->setup(a);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "pod default/a: hostPort needs iptables support, which is not enabled");
}

TEST_CASE("garbage_collect releases IPs, veths and hostPorts of pods that are gone") {
  Harness h;
  auto a = pod("a", "uid-a");
  a.host_ports = {{8080, 80, "TCP", ""}};
  REQUIRE(h.net->setup(a).ok());
  REQUIRE(h.net->setup(pod("b", "uid-b")).ok());
  h.ops->extra_bridge_ports = {"veth1234abcd", veth_name_for_pod("uid-gone")};  // CNI's + a stale one of ours
  REQUIRE(h.net->garbage_collect({"uid-b"}).ok());
  CHECK(h.net->status("uid-a").error().code == ErrorCode::kNotFound);
  CHECK(h.net->status("uid-b").ok());
  CHECK(h.nat->ports.empty());
  CHECK(h.ops->extra_bridge_ports == std::vector<std::string>{"veth1234abcd"});
  CHECK(h.ops->pod_links.size() == 1);
}

TEST_CASE("FakePodNetwork behaves like the contract says") {
  fakes::FakePodNetwork fake;
  auto s = fake.setup(pod("a", "uid-a"));
  REQUIRE(s.ok());
  CHECK(fake.status("uid-a")->pod_ips == s->pod_ips);
  fake.fail_next_setup = Error{ErrorCode::kFailedPrecondition, "pod default/b: no free IP in 10.244.0.0/24"};
  CHECK_FALSE(fake.setup(pod("b", "uid-b")).ok());
  REQUIRE(fake.garbage_collect({}).ok());
  CHECK(fake.pods_with_ip().empty());
}
