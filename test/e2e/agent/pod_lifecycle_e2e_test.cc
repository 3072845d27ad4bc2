// The daemon end to end: static pod manifests in, containers in containerd, status, logs and
// exec through nodectl, deletion out. Real containerd, real namespaces, real binaries.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

bool all_ready(const json& pod) {
  if (pod.is_null() || !pod["status"].contains("containerStatuses")) return false;
  for (const auto& c : pod["status"]["containerStatuses"])
    if (!c.value("ready", false)) return false;
  return true;
}

const char* kTwoContainers = R"(  terminationGracePeriodSeconds: 2
  containers:
  - name: server
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c"]
    args: ["echo hello-from-server > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp"]
  - name: client
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do wget -qO- http://127.0.0.1:8080/ || echo failed; sleep 0.5; done"]
)";

}  // namespace

TEST_CASE("a two-container pod shares one network, IPC and UTS namespace", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("web.yaml", pod_yaml("web", kTwoContainers));
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("web")); }, 60s));
  auto pod = agent.pod("web");
  CHECK(phase(pod) == "Running");
  CHECK(pod["metadata"]["annotations"]["kubernetes.io/config.source"] == "file");
  CHECK(container_status(pod, "server")["containerID"].get<std::string>().rfind("containerd://", 0) == 0);

  int server = agent.container_pid("web", "server");
  int client = agent.container_pid("web", "client");
  REQUIRE(server > 0);
  REQUIRE(client > 0);
  for (const char* ns : {"net", "ipc", "uts"}) {
    auto a = std::filesystem::read_symlink(fmt::format("/proc/{}/ns/{}", server, ns));
    auto b = std::filesystem::read_symlink(fmt::format("/proc/{}/ns/{}", client, ns));
    CHECK(a == b);
    CHECK(a != std::filesystem::read_symlink(fmt::format("/proc/self/ns/{}", ns)));
  }

  // The client reaches the server over the pod's shared loopback.
  auto node = agent.node();
  CHECK(AgentHarness::eventually([&] {
    return agent.nodectl("logs web-" + node + " -c client --tail 5").output.find("hello-from-server") != std::string::npos;
  }, 20s));

  // hostname = pod name; exec passes the exit code through.
  auto host = agent.nodectl("exec web-" + node + " -c server -- hostname");
  CHECK(host.exit_code == 0);
  CHECK(host.output == "web-" + node + "\n");
  CHECK(agent.nodectl("exec web-" + node + " -c server -- sh -c 'exit 7'").exit_code == 7);

  // nodectl's table.
  auto table = agent.nodectl("pods");
  CHECK_THAT(table.output, Catch::Contains("web-" + node) && Catch::Contains("2/2") && Catch::Contains("Running"));
}

TEST_CASE("init containers run in order, to completion, before app containers", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("init.yaml", pod_yaml("init", R"(  terminationGracePeriodSeconds: 1
  volumes:
  - name: work
    emptyDir: {}
  initContainers:
  - name: first
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "sleep 1; echo first >> /work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: second
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo second >> /work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "cat /work/order; trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumeMounts: [{name: work, mountPath: /work}]
)"));
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("init")); }, 60s));
  auto pod = agent.pod("init");
  for (const char* name : {"first", "second"}) {
    auto st = container_status(pod, name, "initContainerStatuses");
    CHECK(st["state"]["terminated"]["reason"] == "Completed");
    CHECK(st["ready"] == true);
  }
  auto logs = agent.nodectl("logs init-" + agent.node() + " -c app");
  CHECK(logs.output == "first\nsecond\n");
}

TEST_CASE("restart policies, crash-loop back-off and terminal phases", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("crash.yaml", pod_yaml("crash", R"(  restartPolicy: Always
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo attempt; exit 3"]
)"));
  agent.write_manifest("job.yaml", pod_yaml("job", R"(  restartPolicy: OnFailure
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo done"]
)"));
  agent.write_manifest("fail.yaml", pod_yaml("fail", R"(  restartPolicy: Never
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "exit 4"]
)"));

  // Always: restarted (first restart immediate), then held back in CrashLoopBackOff.
  REQUIRE(AgentHarness::eventually([&] {
    auto st = container_status(agent.pod("crash"), "app");
    return !st.is_null() && st["restartCount"].get<int>() >= 1 && st["state"].contains("waiting") &&
           st["state"]["waiting"]["reason"] == "CrashLoopBackOff";
  }, 60s));
  auto crash = container_status(agent.pod("crash"), "app");
  CHECK(crash["lastState"]["terminated"]["exitCode"] == 3);
  CHECK(crash["lastState"]["terminated"]["reason"] == "Error");
  CHECK_THAT(crash["state"]["waiting"]["message"].get<std::string>(), Catch::StartsWith("back-off 10s restarting failed"));
  CHECK(phase(agent.pod("crash")) == "Running");
  // --previous reads the log of the attempt before.
  CHECK(agent.nodectl("logs --previous crash-" + agent.node()).output == "attempt\n");

  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("job")) == "Succeeded"; }, 30s));
  CHECK(container_status(agent.pod("job"), "app")["state"]["terminated"]["reason"] == "Completed");
  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("fail")) == "Failed"; }, 30s));
  CHECK(container_status(agent.pod("fail"), "app")["state"]["terminated"]["exitCode"] == 4);
  CHECK(container_status(agent.pod("fail"), "app")["restartCount"] == 0);
}

TEST_CASE("deletion sends SIGTERM, honours the grace period, then SIGKILLs", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("slow.yaml", pod_yaml("slow", R"(  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'echo got TERM' TERM; echo started; while true; do sleep 0.2; done"]
)"));
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("slow")); }, 60s));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("logs slow-" + agent.node()).output.find("started") != std::string::npos;
  }, 10s));
  // Watch the log file directly: the agent removes the pod's logs once it is gone.
  std::string log_path;
  for (const auto& e : std::filesystem::recursive_directory_iterator(agent.log_dir()))
    if (e.path().filename() == "0.log") log_path = e.path().string();
  REQUIRE_FALSE(log_path.empty());
  auto started = std::chrono::steady_clock::now();
  agent.remove_manifest("slow.yaml");
  std::string seen_log;
  REQUIRE(AgentHarness::eventually([&] {
    std::ifstream in(log_path);
    if (in) seen_log.assign(std::istreambuf_iterator<char>(in), {});
    return agent.pod("slow").is_null();
  }, 30s));
  auto took = std::chrono::steady_clock::now() - started;
  CHECK_THAT(seen_log, Catch::Contains("got TERM"));  // TERM first ...
  CHECK(took >= 3s);                                  // ... then the grace period ...
  CHECK(took < 25s);                                  // ... and not the 30 s default
}

TEST_CASE("a container over its memory limit is OOMKilled", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("oom.yaml", pod_yaml("oom", R"(  restartPolicy: Never
  containers:
  - name: hog
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "head -c 200m /dev/zero | tail > /dev/null"]
    resources:
      limits: {memory: 32Mi}
)"));
  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("oom")) == "Failed"; }, 60s));
  auto st = container_status(agent.pod("oom"), "hog");
  CHECK(st["state"]["terminated"]["reason"] == "OOMKilled");
  CHECK(agent.pod("oom")["status"]["qosClass"] == "Burstable");
}

TEST_CASE("kill -9 of the agent leaves containers running; the restarted agent adopts them", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("web.yaml", pod_yaml("web", kTwoContainers));
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("web")); }, 60s));
  int server = agent.container_pid("web", "server");
  int client = agent.container_pid("web", "client");
  auto created = agent.pod("web")["metadata"]["creationTimestamp"];
  agent.kill_agent(SIGKILL);
  std::this_thread::sleep_for(1s);
  CHECK(::kill(server, 0) == 0);
  CHECK(::kill(client, 0) == 0);

  agent.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("web")); }, 30s));
  std::this_thread::sleep_for(3s);  // a few syncs and a relist
  CHECK(agent.container_pid("web", "server") == server);
  CHECK(agent.container_pid("web", "client") == client);
  auto pod = agent.pod("web");
  CHECK(container_status(pod, "server")["restartCount"] == 0);
  CHECK(container_status(pod, "client")["restartCount"] == 0);
  CHECK(pod["metadata"]["creationTimestamp"] == created);
  // Logs go on: the logger belongs to the shim, not to the agent.
  auto before = agent.nodectl("logs web-" + agent.node() + " -c client").output.size();
  CHECK(AgentHarness::eventually([&] {
    return agent.nodectl("logs web-" + agent.node() + " -c client").output.size() > before;
  }, 10s));
}

TEST_CASE("a malformed manifest is reported with file and field and disturbs nothing", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("web.yaml", pod_yaml("web", kTwoContainers));
  REQUIRE(AgentHarness::eventually([&] { return all_ready(agent.pod("web")); }, 60s));
  int server = agent.container_pid("web", "server");
  agent.write_manifest("bad.yaml", pod_yaml("bad", R"(  containers:
  - name: c
    image: busybox:latest
    ports:
    - containerPort: 70000
)"));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("containerPort") != std::string::npos;
  }, 20s));
  auto events = agent.nodectl("events").output;
  CHECK_THAT(events, Catch::Contains("bad.yaml"));
  CHECK_THAT(events, Catch::Contains("spec.containers[0].ports[0].containerPort"));
  CHECK(agent.pod("bad").is_null());
  CHECK(agent.container_pid("web", "server") == server);
}
