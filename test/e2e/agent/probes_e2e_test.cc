// Probes end to end: the real agent, busybox containers on a private containerd. Liveness
// restarts a container that starts failing; readiness toggles Ready and the Service's real
// traffic; the startup probe holds liveness back; exec timeouts are enforced; an agent killed
// with SIGKILL keeps its pods Ready and in their Services.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {

nlohmann::json status_of(const nlohmann::json& pod, const std::string& container) {
  if (pod.is_null()) return nullptr;
  for (const auto& s : pod["status"].value("containerStatuses", nlohmann::json::array()))
    if (s.value("name", "") == container) return s;
  return nullptr;
}

int restarts(const nlohmann::json& pod, const std::string& container) {
  auto s = status_of(pod, container);
  return s.is_null() ? -1 : s.value("restartCount", -1);
}

bool ready(const nlohmann::json& pod) {
  if (pod.is_null()) return false;
  for (const auto& c : pod["status"].value("conditions", nlohmann::json::array()))
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  return false;
}

// httpd on 8080 serving /www; `setup` runs first.
std::string httpd_pod(const std::string& name, const std::string& setup, const std::string& probes) {
  return fmt::format(R"(apiVersion: v1
kind: Pod
metadata:
  name: {}
  labels: {{app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c"]
    args: ["mkdir -p /www && hostname > /www/index.html; {} exec httpd -f -p 8080 -h /www"]
    ports:
    - name: http
      containerPort: 8080
{})",
                     name, setup, probes);
}

}  // namespace

TEST_CASE("a liveness probe that starts failing restarts the container", "[e2e][probes]") {
  AgentHarness agent;
  // /www/healthz exists for 4 s after each start, then 404s.
  agent.write_manifest("live.yaml", httpd_pod("live", "echo ok > /www/healthz; (sleep 4; rm /www/healthz) &", R"(    livenessProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 1
      failureThreshold: 2
)"));
  REQUIRE(AgentHarness::eventually([&] { return restarts(agent.pod("live"), "web") == 0; }, 60s));
  const auto t0 = std::chrono::steady_clock::now();
  // Healthy for 4 s (+ up to 1 s period): no restart before that.
  std::this_thread::sleep_for(3s);
  CHECK(restarts(agent.pod("live"), "web") == 0);
  // Then 2 failures 1 s apart, a 1 s grace at most: restarted within ~4+2+1+sync.
  REQUIRE(AgentHarness::eventually([&] { return restarts(agent.pod("live"), "web") >= 1; }, 15s));
  const auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took <= 12);
  auto events = agent.nodectl("events").output;
  CHECK_THAT(events, Catch::Contains("Unhealthy") &&
                         Catch::Contains("Liveness probe failed: HTTP probe failed with statuscode: 404"));
  // nodectl probes shows the probe, its handler and its latest outcome.
  auto probes = agent.nodectl("probes live-" + agent.node());
  INFO(probes.output);
  CHECK(probes.exit_code == 0);
  CHECK_THAT(probes.output, Catch::Contains("liveness") && Catch::Contains("web") && Catch::Contains("/healthz"));
  auto rows = nlohmann::json::parse(agent.nodectl("probes -o json").output, nullptr, false);
  REQUIRE(rows.is_object());
  REQUIRE(rows["items"].size() == 1);
  CHECK(rows["items"][0]["probe"] == "liveness");
  CHECK(rows["items"][0]["container"] == "web");
  // And again: the new instance got a fresh probe.
  REQUIRE(AgentHarness::eventually([&] { return restarts(agent.pod("live"), "web") >= 2; }, 40s));
}

TEST_CASE("the startup probe holds liveness back; exec timeouts are enforced", "[e2e][probes]") {
  AgentHarness agent;
  agent.write_manifest("slow.yaml", pod_yaml("slow", R"(  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "sleep 6; touch /tmp/started; trap 'exit 0' TERM; sleep 3600 & wait"]
    startupProbe:
      exec: {command: ["test", "-f", "/tmp/started"]}
      periodSeconds: 1
      failureThreshold: 30
    livenessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 3
    readinessProbe:
      exec: {command: ["sh", "-c", "sleep 30"]}
      periodSeconds: 2
      timeoutSeconds: 1
)"));
  REQUIRE(AgentHarness::eventually([&] { return restarts(agent.pod("slow"), "app") == 0; }, 60s));
  // Not started, so the failing liveness probe does not run for the first 6 s.
  std::this_thread::sleep_for(4s);
  auto pod = agent.pod("slow");
  CHECK(restarts(pod, "app") == 0);
  CHECK(status_of(pod, "app").value("started", true) == false);
  CHECK(agent.nodectl("events").output.find("Liveness probe failed") == std::string::npos);
  // Once started, liveness fails 3 times and the container is restarted.
  REQUIRE(AgentHarness::eventually([&] { return restarts(agent.pod("slow"), "app") >= 1; }, 20s));
  // The readiness exec ran 30 s sleeps with a 1 s timeout: killed, reported as a timeout.
  auto events = agent.nodectl("events").output;
  CHECK_THAT(events, Catch::Contains("Readiness probe failed: command \"sh -c sleep 30\" timed out"));
  CHECK_FALSE(ready(agent.pod("slow")));
  auto ps = agent.nodectl("exec slow-" + agent.node() + " -c app -- ps").output;
  size_t sleeps = 0;
  for (size_t at = ps.find("sleep 30"); at != std::string::npos; at = ps.find("sleep 30", at + 1)) ++sleeps;
  INFO(ps);
  CHECK(sleeps <= 1);  // each timed-out exec was killed; at most the current one runs
}

namespace {

const char* kWebService = R"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  clusterIP: 10.96.0.40
  ports:
  - name: http
    port: 80
    targetPort: http
)";

CommandResult curl_result(const std::string& netns, const std::string& ip, int port) {
  return run_command(fmt::format("nsenter --net=/run/netns/{} curl -s --noproxy '*' -m 2 http://{}:{}/index.html",
                                 netns, ip, port));
}

// Which pods answer on the ClusterIP over `tries` requests.
std::set<std::string> answering(const std::string& netns, int tries) {
  std::set<std::string> out;
  for (int i = 0; i < tries; ++i) {
    auto r = curl_result(netns, "10.96.0.40", 80);
    if (r.exit_code == 0) out.insert(r.output);
  }
  return out;
}

}  // namespace

TEST_CASE("readiness toggles Ready and the Service's traffic, and survives an agent SIGKILL", "[e2e][probes]") {
  NodeUnderlay underlay;
  AgentHarness node(networked_node(underlay.n1(), "p", {"--pod-cidr", "10.244.1.0/24", "--node-ip", "192.168.77.1"}));
  // A period long enough that an agent that forgot the results would show a not-ready gap after
  // its restart (its first run is jittered over the period): the check below must see one then.
  const std::string readiness = R"(    readinessProbe:
      httpGet: {path: /ready, port: 8080}
      periodSeconds: 4
      failureThreshold: 1
)";
  node.write_manifest("a.yaml", httpd_pod("ra", "echo y > /www/ready;", readiness));
  node.write_manifest("b.yaml", httpd_pod("rb", "", readiness));  // /ready 404s
  node.write_manifest("svc.yaml", kWebService);
  const std::string a = "ra-" + node.node() + "\n", b = "rb-" + node.node() + "\n";

  REQUIRE(AgentHarness::eventually([&] { return ready(node.pod("ra")); }, 60s));
  REQUIRE(AgentHarness::eventually([&] { return !answering(underlay.n1(), 1).empty(); }, 20s));
  CHECK_FALSE(ready(node.pod("rb")));
  CHECK(answering(underlay.n1(), 12) == std::set<std::string>{a});

  // b becomes ready, a stops being so: the traffic follows.
  auto ex = [&](const std::string& pod, const std::string& cmd) {
    return node.nodectl(fmt::format("exec {}-{} -c web -- sh -c '{}'", pod, node.node(), cmd)).exit_code;
  };
  REQUIRE(ex("rb", "echo y > /www/ready") == 0);
  REQUIRE(AgentHarness::eventually([&] { return ready(node.pod("rb")); }, 15s));
  REQUIRE(ex("ra", "rm /www/ready") == 0);
  REQUIRE(AgentHarness::eventually([&] { return !ready(node.pod("ra")); }, 15s));
  REQUIRE(AgentHarness::eventually([&] { return answering(underlay.n1(), 8) == std::set<std::string>{b}; }, 15s));
  CHECK_THAT(node.nodectl("events").output, Catch::Contains("Readiness probe failed: HTTP probe failed with statuscode: 404"));

  // SIGKILL and restart: rb stays Ready and keeps the traffic all along (its readiness was kept
  // for that container instance in <root>/pods/<uid>/probe-results.json), while its probe resumes.
  const auto rb = node.pod("rb");
  const std::string rb_id = status_of(rb, "web").value("containerID", "");
  const auto kept = nlohmann::json::parse(
      read_file(node.root_dir() + "/pods/" + rb["metadata"]["uid"].get<std::string>() + "/probe-results.json"), nullptr,
      false);
  INFO(kept.dump());
  REQUIRE(kept.is_object());
  CHECK(kept["web"]["ready"] == true);
  CHECK("containerd://" + kept["web"].value("containerID", "") == rb_id);
  std::atomic<bool> stop{false};
  std::atomic<int> not_ready{0}, samples{0};
  node.kill_agent(SIGKILL);
  node.start_agent();
  std::thread watch([&] {
    while (!stop) {
      auto pod = node.pod("rb");
      if (!pod.is_null()) {
        samples++;
        if (!ready(pod)) not_ready++;
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  const auto during = answering(underlay.n1(), 10);
  std::this_thread::sleep_for(5s);  // more than one period: the probe has run again meanwhile
  stop = true;
  watch.join();
  CHECK(samples > 5);
  CHECK(not_ready == 0);
  CHECK(during == std::set<std::string>{b});
  // Probes resumed: ra is still unready, and turns ready when its file comes back.
  REQUIRE(ex("ra", "echo y > /www/ready") == 0);
  REQUIRE(AgentHarness::eventually([&] { return ready(node.pod("ra")); }, 15s));
}

TEST_CASE("a probe port name the container does not declare: admitted, and the probe errors at run time",
          "[e2e][probes]") {
  AgentHarness agent;
  agent.write_manifest("noport.yaml", httpd_pod("noport", "echo y > /www/ready;", R"(    readinessProbe:
      tcpSocket: {port: metrics}
      periodSeconds: 1
)"));
  REQUIRE(AgentHarness::eventually(
      [&] {
        return agent.nodectl("events").output.find(
                   "Readiness probe errored and resulted in unknown state: port \"metrics\" not found") != std::string::npos;
      },
      60s));
  auto pod = agent.pod("noport");
  CHECK(status_of(pod, "web")["state"].contains("running"));
  CHECK_FALSE(status_of(pod, "web").value("ready", true));
  CHECK_FALSE(ready(pod));
}
