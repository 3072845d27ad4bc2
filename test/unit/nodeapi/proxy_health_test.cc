#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent/nodeapi/proxy_health.h"

using namespace nodeagent::nodeapi;
namespace proxy = nodeagent::network::proxy;

TEST_CASE("kube-proxy's healthCheckNodePort body") {
  CHECK(service_health_body("default", "lb", 2, true) ==
        "{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"lb\"\n\t},\n\t\"localEndpoints\": 2,\n"
        "\t\"serviceProxyHealthy\": true\n}");
  auto j = nlohmann::json::parse(service_health_body("ns", "svc", 0, false));
  CHECK(j["service"]["name"] == "svc");
  CHECK(j["localEndpoints"] == 0);
}

TEST_CASE("local ready endpoints are counted per Service, distinct IPs over its ports") {
  proxy::ProxyState s;
  proxy::ServicePortInfo http, https, other;
  http.health_check_node_port = 32000;
  https.health_check_node_port = 32000;
  s.services[{"default", "lb", "http"}] = http;
  s.services[{"default", "lb", "https"}] = https;
  s.services[{"default", "plain", ""}] = other;  // no healthCheckNodePort: not served
  proxy::EndpointInfo a{0x0a000001, 80, true, true, false, true, "n"};
  proxy::EndpointInfo b{0x0a000002, 80, false, false, false, true, "n"};   // not ready
  proxy::EndpointInfo c{0x0a000003, 80, true, true, false, false, "m"};    // another node's
  s.endpoints[{"default", "lb", "http"}] = {a, b, c};
  proxy::EndpointInfo a443 = a;
  a443.port = 443;
  s.endpoints[{"default", "lb", "https"}] = {a443};
  auto targets = service_health_targets(s);
  REQUIRE(targets.size() == 1);
  auto& t = targets.at({"default", "lb"});
  CHECK(t.port == 32000);
  CHECK(t.local_endpoints == 1);
}

TEST_CASE("the proxy is healthy until a change waits longer than the timeout") {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  ProxyHealth h(std::chrono::seconds(60), [&now] { return now; });
  CHECK(h.healthy());
  h.synced(false);
  now += std::chrono::seconds(59);
  CHECK(h.healthy());
  now += std::chrono::seconds(1);
  CHECK_FALSE(h.healthy());
  auto body = nlohmann::json::parse(h.body(true));
  CHECK(body["healthy"] == false);
  CHECK(body["nodeEligible"] == true);
  CHECK(body["status"]["IPv4"]["healthy"] == false);
  h.synced(true);
  CHECK(h.healthy());
  body = nlohmann::json::parse(h.body(std::nullopt));
  CHECK(body["healthy"] == true);
  CHECK_FALSE(body.contains("nodeEligible"));
  CHECK(body["lastUpdated"] == body["currentTime"]);
}
