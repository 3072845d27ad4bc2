#include "agent/cluster/node_routes.h"

#include <catch2/catch.hpp>

#include "test/unit/cluster/fake_node_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using nlohmann::json;

namespace {

json node(const std::string& name, const std::string& cidr, const std::string& ip) {
  json n = {{"metadata", {{"name", name}}}, {"spec", json::object()}, {"status", json::object()}};
  if (!cidr.empty()) n["spec"]["podCIDR"] = cidr, n["spec"]["podCIDRs"] = json::array({cidr});
  if (!ip.empty())
    n["status"]["addresses"] = json::array({{{"type", "Hostname"}, {"address", name}}, {{"type", "InternalIP"}, {"address", ip}}});
  return n;
}

std::vector<std::string> text(const std::vector<network::PodCidrRoute>& routes) {
  std::vector<std::string> out;
  for (const auto& r : routes) out.push_back(r.pod_cidr + " via " + r.node_ip);
  return out;
}

}  // namespace

TEST_CASE("node routes: one route per other node with an IPv4 pod CIDR and InternalIP") {
  kube::client::ObjectMap nodes = {
      {"n1", node("n1", "10.244.1.0/24", "10.250.0.11")},  // this node
      {"n2", node("n2", "10.244.2.0/24", "10.250.0.12")},
      {"n3", node("n3", "", "10.250.0.13")},               // no CIDR allocated yet
      {"n4", node("n4", "10.244.4.0/24", "")},             // no address reported yet
      {"n5", node("n5", "fd00:1::/64", "10.250.0.15")},    // IPv6 only
      {"n6", node("n6", "10.244.6.0/24", "fd00::6")},
      {"n7", node("n7", "10.244.7.0/24", "10.250.0.17")},
  };
  CHECK(text(pod_cidr_routes(nodes, "n1")) ==
        std::vector<std::string>{"10.244.2.0/24 via 10.250.0.12", "10.244.7.0/24 via 10.250.0.17"});
  nodes["n8"] = node("n8", "10.244.8.0/24", "10.250.0.18");
  nodes["n8"]["spec"]["podCIDRs"] = json::array({"fd00:8::/64", "10.244.8.0/24"});
  nodes["n8"]["spec"]["podCIDR"] = "fd00:8::/64";
  CHECK(text(pod_cidr_routes(nodes, "n1")).back() == "10.244.8.0/24 via 10.250.0.18");
}

TEST_CASE("node routes: the callback runs after the first list and on changes only; this node's CIDR is kept") {
  testing::FakeNodeApi api;
  kube::client::ApiClient client{api.http(), api.config()};
  std::vector<std::vector<std::string>> delivered;
  NodeRoutes routes(client, "n1", [&](const std::vector<network::PodCidrRoute>& r) { delivered.push_back(text(r)); });

  kube::client::ObjectMap nodes = {{"n1", node("n1", "", "10.250.0.11")}};
  routes.on_nodes(nodes);
  REQUIRE(delivered.size() == 1);  // the empty first set is delivered: stale routes go
  CHECK(delivered[0].empty());
  CHECK(routes.own_pod_cidr().empty());

  nodes["n1"] = node("n1", "10.244.1.0/24", "10.250.0.11");
  routes.on_nodes(nodes);
  CHECK(delivered.size() == 1);  // only our own CIDR changed
  CHECK(routes.own_pod_cidr() == "10.244.1.0/24");

  nodes["n2"] = node("n2", "10.244.2.0/24", "10.250.0.12");
  routes.on_nodes(nodes);
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[1] == std::vector<std::string>{"10.244.2.0/24 via 10.250.0.12"});
  nodes["n2"]["metadata"]["labels"]["x"] = "y";
  routes.on_nodes(nodes);
  CHECK(delivered.size() == 2);

  nodes.erase("n2");
  routes.on_nodes(nodes);
  REQUIRE(delivered.size() == 3);
  CHECK(delivered[2].empty());
}
