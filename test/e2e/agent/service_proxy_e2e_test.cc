// The daemon's service proxy end to end, inside a node network namespace the test creates:
// Services and EndpointSlices from the manifest directory become kube-proxy's chains, and
// nodectl services / trace explain them.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <set>

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

namespace {

const char* kWebService = R"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  clusterIP: 10.96.0.30
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
)";

// curl's exit code and body, from inside a netns.
CommandResult curl_result(const std::string& netns, const std::string& ip, int port, int timeout_s = 3) {
  return run_command(fmt::format("nsenter --net=/run/netns/{} curl -s --noproxy '*' -m {} http://{}:{}/index.html",
                                 netns, timeout_s, ip, port));
}

}  // namespace

TEST_CASE("a Service over the node's own pods carries real traffic: ClusterIP, NodePort, from a pod", "[e2e][proxy]") {
  NodeUnderlay underlay;
  AgentHarness node(networked_node(underlay.n1(), "a", {"--pod-cidr", "10.244.1.0/24", "--node-ip", "192.168.77.1"}));
  node.write_manifest("web-a.yaml", web_pod_yaml("web-a"));
  node.write_manifest("web-b.yaml", web_pod_yaml("web-b"));
  node.write_manifest("client.yaml", sleeper_pod_yaml("client"));
  node.write_manifest("web-svc.yaml", kWebService);
  const std::string a = "web-a-" + node.node() + "\n", b = "web-b-" + node.node() + "\n";

  // Endpoints come from the pods (selector, named targetPort), ready once they run.
  REQUIRE(AgentHarness::eventually([&] { return node.nodectl("services").output.find("2/2") != std::string::npos; }, 60s));
  std::set<std::string> answers;
  bool both = AgentHarness::eventually([&] {
    auto r = curl_result(underlay.n1(), "10.96.0.30", 80);
    if (r.exit_code == 0) answers.insert(r.output);
    return answers.size() == 2;  // both endpoints answer (p of a miss in 60 tries: 2^-59)
  }, 30s);
  CHECK(both);
  CHECK(answers == std::set<std::string>{a, b});

  // NodePort from the other node; ClusterIP from a pod of this node (through the bridge).
  auto via_node_port = curl_result(underlay.n2(), "192.168.77.1", 30080);
  CHECK(via_node_port.exit_code == 0);
  CHECK((via_node_port.output == a || via_node_port.output == b));
  auto from_pod = node.nodectl("exec client-" + node.node() +
                               R"( -- sh -c 'printf "GET /index.html HTTP/1.0\r\n\r\n" | nc -w 3 10.96.0.30 80')");
  CHECK(from_pod.exit_code == 0);
  CHECK_THAT(from_pod.output, Catch::StartsWith("HTTP/1.1 200 OK") &&
                                  (Catch::EndsWith("\r\n\r\n" + a) || Catch::EndsWith("\r\n\r\n" + b)));

  // An agent crash and restart under a steady request loop: the rules stay in the kernel while
  // the agent is down, and the restarted agent must not sync before it knows its pods again
  // (that would REJECT the Service for a moment).
  {
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::string failures;  // curl exit codes and when, for the message
    const auto t0 = std::chrono::steady_clock::now();
    std::thread loop([&] {
      while (!stop) {
        auto r = curl_result(underlay.n1(), "10.96.0.30", 80);
        if (r.exit_code == 0) {
          ok++;
          continue;
        }
        failed++;
        failures += fmt::format(" exit {} at {} ms;", r.exit_code,
                                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
      }
    });
    std::this_thread::sleep_for(500ms);
    node.kill_agent(SIGKILL);
    std::this_thread::sleep_for(500ms);
    node.start_agent();
    std::this_thread::sleep_for(3s);  // past the first syncs of the new agent
    stop = true;
    loop.join();
    INFO("ok=" << ok << " failed=" << failed << failures << " (agent killed at ~500 ms, restarted at ~1000 ms)");
    CHECK(ok > 10);
    CHECK(failed == 0);
  }

  // One endpoint goes away: only the other answers.
  const std::string web_b_ip = node.pod("web-b")["status"].value("podIP", "");
  REQUIRE(!web_b_ip.empty());
  node.remove_manifest("web-b.yaml");
  REQUIRE(AgentHarness::eventually([&] { return node.nodectl("services").output.find("1/1") != std::string::npos; }, 60s));
  REQUIRE(AgentHarness::eventually([&] {
    auto s = run_command(fmt::format("ip netns exec {} iptables-legacy-save -t nat", underlay.n1())).output;
    return s.find(":8080") != std::string::npos && s.find(web_b_ip + ":8080") == std::string::npos;
  }, 20s));
  for (int i = 0; i < 10; ++i) CHECK(curl_result(underlay.n1(), "10.96.0.30", 80).output == a);

  // No endpoint left: refused at once (REJECT in filter), not a 3 s timeout.
  node.remove_manifest("web-a.yaml");
  // Waiting on the rules, not on curl: every refused SYN costs a token of the kernel's ICMP rate
  // limit, and a drained bucket would turn the next refusal into a timeout.
  REQUIRE(AgentHarness::eventually([&] {
    auto s = run_command(fmt::format("ip netns exec {} iptables-legacy-save -t filter", underlay.n1())).output;
    return s.find("default/web:http has no endpoints") != std::string::npos;
  }, 30s));
  // Linux may take the ICMP error of the first SYN as a soft error and report the refusal with
  // the 1 s or 3 s retransmit (see test/integration/proxy); a DROP would run into the 5 s limit.
  auto t0 = std::chrono::steady_clock::now();
  CHECK(curl_result(underlay.n1(), "10.96.0.30", 80, 5).exit_code == 7);  // 7: connection refused
  CHECK(std::chrono::steady_clock::now() - t0 < 4500ms);
}
