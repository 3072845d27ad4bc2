// The daemon's service proxy end to end, inside a node network namespace the test creates:
// Services and EndpointSlices from the manifest directory become kube-proxy's chains, and
// nodectl services / trace explain them.
#include <catch2/catch.hpp>

#include <chrono>

#include <fmt/format.h>

#include "agent_harness.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {
const char* kServiceAndSlice = R"(apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: default
spec:
  type: NodePort
  clusterIP: 10.96.0.20
  ports:
  - name: pg
    port: 5432
    targetPort: 5432
    nodePort: 30432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-remote
  namespace: default
  labels:
    kubernetes.io/service-name: db
addressType: IPv4
ports:
- name: pg
  port: 5432
  protocol: TCP
endpoints:
- addresses: ["10.244.2.7"]
  conditions: {ready: true}
  nodeName: node-b
- addresses: ["10.244.2.8"]
  conditions: {ready: false}
  nodeName: node-b
)";
}  // namespace

TEST_CASE("Services and EndpointSlices from manifests are programmed and explained", "[e2e][proxy]") {
  AgentOptions options;
  options.node_netns = true;
  options.import_test_image = false;
  AgentHarness agent(options);
  agent.write_manifest("db.yaml", kServiceAndSlice);

  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("services").output.find("1/2") != std::string::npos;
  }, 20s));
  auto services = agent.nodectl("services").output;
  CHECK_THAT(services, Catch::Contains("db") && Catch::Contains("NodePort") && Catch::Contains("10.96.0.20"));

  // The runner syncs at most once per --iptables-min-sync-period (1 s): wait for the rules.
  CommandResult save;
  REQUIRE(AgentHarness::eventually([&] {
    save = run_command(fmt::format("ip netns exec {} iptables-legacy-save -t nat", agent.netns()));
    return save.output.find("10.96.0.20") != std::string::npos;
  }, 20s));
  REQUIRE(save.exit_code == 0);
  CHECK_THAT(save.output, Catch::Contains("-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp"));
  CHECK_THAT(save.output, Catch::Contains("--dport 30432"));
  CHECK_THAT(save.output, Catch::Contains("--to-destination 10.244.2.7:5432"));
  CHECK(save.output.find("10.244.2.8") == std::string::npos);  // not ready: not an endpoint
  CHECK(save.output.find("unsupported revision") == std::string::npos);

  auto trace = agent.nodectl("trace db:pg");
  CHECK(trace.exit_code == 0);
  CHECK_THAT(trace.output, Catch::Contains("KUBE-SVC-") && Catch::Contains("10.244.2.7:5432"));

  // A bad Service is refused with an event naming the field; the good one stays.
  agent.write_manifest("bad.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: clash}
spec:
  type: NodePort
  clusterIP: 10.96.0.21
  ports: [{port: 80, nodePort: 30432}]
)");
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("30432") != std::string::npos;
  }, 20s));
  CHECK_THAT(agent.nodectl("events").output, Catch::Contains("nodePort"));
  CHECK_THAT(agent.nodectl("services").output, Catch::Contains("db"));

  // Deleting the manifest removes the Service's chains.
  agent.remove_manifest("db.yaml");
  agent.remove_manifest("bad.yaml");
  REQUIRE(AgentHarness::eventually([&] {
    auto s = run_command(fmt::format("ip netns exec {} iptables-legacy-save -t nat", agent.netns()));
    return s.output.find("10.96.0.20") == std::string::npos;
  }, 20s));
}
