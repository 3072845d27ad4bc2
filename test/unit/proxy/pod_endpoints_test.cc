// Endpoints from the agent's own pods: selector, named and numeric targetPort, readiness.
#include <catch2/catch.hpp>

#include "test/support/proxy_objects.h"
#include "network/proxy/pod_endpoints.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using proxytest::endpoint_slice_from_json;
using proxytest::service_from_json;

TEST_CASE("endpoints from local pods") {
  auto svc = service_from_json(nlohmann::json::parse(R"({"metadata": {"name": "web", "namespace": "shop"},
    "spec": {"clusterIP": "10.96.0.5", "selector": {"app": "web"},
             "ports": [{"name": "http", "port": 80, "targetPort": "web-http"},
                       {"name": "metrics", "port": 9090, "targetPort": 9091}]}})"));
  REQUIRE(svc.ok());
  CHECK(svc->ports[0].target_port == "web-http");
  CHECK(svc->ports[1].target_port == "9091");

  std::vector<PodForEndpoints> pods(4);
  pods[0] = {"shop", "web-1", {{"app", "web"}, {"tier", "fe"}}, 0x0a000001, true, false, {{"web-http", {8080, Protocol::kTcp}}}};
  pods[1] = {"shop", "web-2", {{"app", "web"}}, 0x0a000002, false, false, {{"web-http", {8080, Protocol::kTcp}}}};
  pods[2] = {"shop", "db-1", {{"app", "db"}}, 0x0a000003, true, false, {}};
  pods[3] = {"other", "web-x", {{"app", "web"}}, 0x0a000004, true, false, {}};
  auto slice = endpoints_from_pods(*svc, pods, "node-a");
  CHECK(slice.name.to_string() == "shop/web-nodeagent-pods");
  CHECK(slice.service_name == "web");
  REQUIRE(slice.ports.size() == 2);
  CHECK(slice.ports[0].name == "http");
  CHECK(slice.ports[0].port == 8080);
  CHECK(slice.ports[1].port == 9091);
  REQUIRE(slice.endpoints.size() == 2);
  CHECK(slice.endpoints[0].ready);
  CHECK_FALSE(slice.endpoints[1].ready);
  CHECK(slice.endpoints[0].node_name == "node-a");

  ServiceInfo no_selector = *svc;
  no_selector.selector.clear();
  CHECK(endpoints_from_pods(no_selector, pods, "node-a").endpoints.empty());
}
