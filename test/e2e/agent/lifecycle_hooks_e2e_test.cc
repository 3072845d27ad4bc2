// Lifecycle hooks end to end, with real containers: postStart finishes before the next container
// starts, preStop runs before the stop signal and holds the deletion while it runs, a failed
// postStart kills the container (FailedPostStartHook), httpGet hooks reach a server in the pod,
// lifecycle.stopSignal replaces SIGTERM (and is containerStatuses[].stopSignal), and a postStart
// hook that never returns does not hold the pod's deletion. The order is read from the
// containers' own logs: the hooks append to /proc/1/fd/1, the main process's stdout. The traps
// linger 0.5 s after their last line so that the test reads it before the pod's logs go away.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The CRI log file of the first attempt of `container` (read directly: it goes with the pod).
std::string log_path(const AgentHarness& agent, const std::string& container) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(agent.log_dir()))
    if (e.path().filename() == "0.log" && e.path().parent_path().filename() == container) return e.path().string();
  return "";
}

// The lines of a CRI log, without their "<time> <stream> <tag> " prefix.
std::vector<std::string> log_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    size_t at = 0;
    for (int field = 0; field < 3 && at != std::string::npos; ++field) at = line.find(' ', at == 0 ? 0 : at + 1);
    out.push_back(at == std::string::npos ? line : line.substr(at + 1));
  }
  return out;
}

// Removes the manifest and waits for the pod to go, collecting the containers' logs meanwhile
// (`logs`: path -> lines).
std::chrono::steady_clock::duration delete_and_watch(AgentHarness& agent, const std::string& file, const std::string& pod,
                                                     std::map<std::string, std::vector<std::string>>& logs) {
  const auto started = std::chrono::steady_clock::now();
  agent.remove_manifest(file);
  REQUIRE(AgentHarness::eventually([&] {
    for (auto& [path, lines] : logs)
      if (auto now = log_lines(path); !now.empty()) lines = now;
    return agent.pod(pod).is_null();
  }, 40s));
  return std::chrono::steady_clock::now() - started;
}

bool ready(const json& pod, const std::string& container) {
  auto st = container_status(pod, container);
  return !st.is_null() && st.value("ready", false);
}

}  // namespace

TEST_CASE("postStart runs before the next container starts; preStop before the stop signal", "[e2e][hooks]") {
  AgentHarness agent;
  agent.write_manifest("order.yaml", pod_yaml("order", R"(  terminationGracePeriodSeconds: 10
  volumes: [{name: shared, emptyDir: {}}]
  containers:
  - name: first
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "trap 'echo got-TERM; sleep 0.5; exit 0' TERM; echo main-started; while true; do sleep 0.1; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "sleep 1; echo post-start > /proc/1/fd/1; touch /shared/post-start-done"]
      preStop:
        exec:
          command: ["sh", "-c", "echo pre-stop > /proc/1/fd/1; sleep 2; echo pre-stop-done > /proc/1/fd/1"]
  - name: second
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: ["sh", "-c", "if [ -e /shared/post-start-done ]; then echo saw-post-start; else echo too-early; fi; trap 'exit 0' TERM; while true; do sleep 0.1; done"]
)"));
  REQUIRE(AgentHarness::eventually([&] { return ready(agent.pod("order"), "second"); }, 60s));
  const auto first_log = log_path(agent, "first");
  const auto second_log = log_path(agent, "second");
  REQUIRE_FALSE(first_log.empty());
  REQUIRE(AgentHarness::eventually([&] { return !log_lines(second_log).empty(); }, 10s));
  CHECK(log_lines(second_log) == std::vector<std::string>{"saw-post-start"});
  CHECK(log_lines(first_log) == std::vector<std::string>{"main-started", "post-start"});

  std::map<std::string, std::vector<std::string>> logs{{first_log, {}}};
  const auto took = delete_and_watch(agent, "order.yaml", "order", logs);
  CHECK(logs[first_log] == std::vector<std::string>{"main-started", "post-start", "pre-stop", "pre-stop-done", "got-TERM"});
  CHECK(took >= 2s);   // the hook's sleep held the stop ...
  CHECK(took < 10s);   // ... within the grace period, and the process then exited on TERM
}

TEST_CASE("a preStop sleep holds the deletion for its seconds, within the grace period", "[e2e][hooks]") {
  AgentHarness agent;
  agent.write_manifest("linger.yaml", pod_yaml("linger", R"(  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'echo got-TERM; sleep 0.5; exit 0' TERM; echo started; while true; do sleep 0.1; done"]
    lifecycle:
      preStop:
        sleep: {seconds: 3}
)"));
  REQUIRE(AgentHarness::eventually([&] { return ready(agent.pod("linger"), "app"); }, 60s));
  const auto path = log_path(agent, "app");
  REQUIRE(AgentHarness::eventually([&] { return !log_lines(path).empty(); }, 10s));
  std::map<std::string, std::vector<std::string>> logs{{path, {}}};
  const auto took = delete_and_watch(agent, "linger.yaml", "linger", logs);
  CHECK(logs[path] == std::vector<std::string>{"started", "got-TERM"});
  CHECK(took >= 3s);
  CHECK(took < 15s);
}

TEST_CASE("a failed postStart hook kills the container, which restarts per its policy", "[e2e][hooks]") {
  AgentHarness agent;
  agent.write_manifest("hookfail.yaml", pod_yaml("hookfail", R"(  terminationGracePeriodSeconds: 2
  restartPolicy: Always
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'echo got-TERM; sleep 0.5; exit 0' TERM; echo started; while true; do sleep 0.1; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo hook-output; exit 7"]
)"));
  agent.write_manifest("hookonce.yaml", pod_yaml("hookonce", R"(  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sleep", "1000"]
    lifecycle:
      postStart:
        exec:
          command: ["false"]
)"));
  // Always: killed (SIGTERM, the process exits 0) and started again, then held back.
  REQUIRE(AgentHarness::eventually([&] {
    auto st = container_status(agent.pod("hookfail"), "app");
    return !st.is_null() && st["restartCount"].get<int>() >= 1 && !waiting(agent.pod("hookfail"), "app").is_null();
  }, 60s));
  auto st = container_status(agent.pod("hookfail"), "app");
  CHECK(st["lastState"]["terminated"]["exitCode"] == 0);
  auto w = waiting(agent.pod("hookfail"), "app");
  INFO(w.dump());
  CHECK((w["reason"] == "PostStartHookError" || w["reason"] == "CrashLoopBackOff"));
  const auto events = agent.nodectl("events").output;
  INFO(events);
  CHECK(events.find("FailedPostStartHook") != std::string::npos);
  CHECK(events.find("PostStartHook failed") != std::string::npos);

  // Never: killed once and not restarted; the pod ends Failed.
  REQUIRE(AgentHarness::eventually([&] {
    auto s = container_status(agent.pod("hookonce"), "app");
    return !s.is_null() && s["state"].contains("terminated");
  }, 60s));
  auto once = container_status(agent.pod("hookonce"), "app");
  CHECK(once["restartCount"] == 0);
  CHECK(once["state"]["terminated"]["exitCode"] == 137);  // PID 1 ignores SIGTERM: SIGKILL after the grace
  CHECK(phase(agent.pod("hookonce")) == "Failed");
}

TEST_CASE("httpGet hooks reach the pod's server by named port, with headers; stopSignal replaces SIGTERM",
          "[e2e][hooks]") {
  AgentHarness agent;
  // The server writes a CGI script that logs each request to its own stdout, starts httpd in the
  // background (it returns once bound), and its postStart waits for that, so the client's hooks
  // find it listening.
  agent.write_manifest("http.yaml", pod_yaml("http", R"(  terminationGracePeriodSeconds: 10
  os: {name: linux}
  containers:
  - name: server
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c"]
    args:
    - |
      mkdir -p /www/cgi-bin
      printf '#!/bin/sh\necho "hook $QUERY_STRING $HTTP_USER_AGENT" > /proc/1/fd/1\necho "Content-Type: text/plain"\necho\necho ok\n' > /www/cgi-bin/hook
      chmod +x /www/cgi-bin/hook
      httpd -p 127.0.0.1:8080 -h /www && touch /tmp/up
      trap 'echo server-got-TERM; sleep 0.5; exit 0' TERM
      while true; do sleep 0.1; done
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "for i in $(seq 100); do [ -e /tmp/up ] && exit 0; sleep 0.1; done; exit 1"]
      preStop:
        sleep: {seconds: 2}  # keeps serving while the client's preStop request comes
  - name: client
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    ports: [{name: web, containerPort: 8080}]
    command: ["sh", "-c", "trap 'echo got-USR1; sleep 0.5; exit 0' USR1; trap 'echo got-TERM; sleep 0.5; exit 0' TERM; echo started; while true; do sleep 0.1; done"]
    lifecycle:
      stopSignal: SIGUSR1
      postStart:
        httpGet: {host: 127.0.0.1, port: web, path: "/cgi-bin/hook?from=post-start"}
      preStop:
        httpGet:
          host: 127.0.0.1
          port: 8080
          path: "/cgi-bin/hook?from=pre-stop"
          httpHeaders: [{name: User-Agent, value: my-agent}]
)"));
  REQUIRE(AgentHarness::eventually([&] { return ready(agent.pod("http"), "client"); }, 60s));
  // containerStatuses[].stopSignal: the effective one, as kubelet 1.33+ reports it.
  const auto pod = agent.pod("http");
  CHECK(container_status(pod, "client").value("stopSignal", "") == "SIGUSR1");
  CHECK(container_status(pod, "server").value("stopSignal", "") == "SIGTERM");  // busybox has none: the default
  const auto server_log = log_path(agent, "server");
  const auto client_log = log_path(agent, "client");
  REQUIRE(AgentHarness::eventually([&] { return log_lines(server_log).size() >= 1; }, 10s));
  auto lines = log_lines(server_log);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::StartsWith("hook from=post-start kube-lifecycle/"));

  std::map<std::string, std::vector<std::string>> logs{{server_log, {}}, {client_log, {}}};
  const auto took = delete_and_watch(agent, "http.yaml", "http", logs);
  CHECK(logs[client_log] == std::vector<std::string>{"started", "got-USR1"});  // not got-TERM
  REQUIRE(logs[server_log].size() == 3);
  CHECK(logs[server_log][1] == "hook from=pre-stop my-agent");  // our User-Agent header won
  CHECK(logs[server_log][2] == "server-got-TERM");
  CHECK(took >= 2s);  // the server's preStop sleep
  CHECK(took < 10s);
  const auto events = agent.nodectl("events").output;
  INFO(events);
  CHECK(events.find("FailedPreStopHook") == std::string::npos);
  CHECK(events.find("FailedPostStartHook") == std::string::npos);
}

TEST_CASE("a postStart hook that never returns is cancelled when the pod is deleted", "[e2e][hooks]") {
  AgentHarness agent;
  // The hook hangs, so `after` never starts; the deletion must not wait for the hook (kubelet
  // runs it under the pod worker's context, which the deletion cancels).
  agent.write_manifest("hung.yaml", pod_yaml("hung", R"(  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'echo got-TERM; sleep 0.5; exit 0' TERM; echo started; while true; do sleep 0.1; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo hook-started > /proc/1/fd/1; sleep 3600"]
  - name: after
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo after-started; sleep 3600"]
)"));
  std::string path;
  REQUIRE(AgentHarness::eventually([&] {
    path = log_path(agent, "app");
    auto lines = path.empty() ? std::vector<std::string>{} : log_lines(path);
    return lines == std::vector<std::string>{"started", "hook-started"};
  }, 60s));
  std::this_thread::sleep_for(1s);
  CHECK(log_path(agent, "after").empty());  // held back by the hook
  std::map<std::string, std::vector<std::string>> logs{{path, {}}};
  const auto took = delete_and_watch(agent, "hung.yaml", "hung", logs);
  CHECK(logs[path] == std::vector<std::string>{"started", "hook-started", "got-TERM"});
  CHECK(took < 3s + 5s);  // the grace period and some sync time, not the hook's hour
  const auto events = agent.nodectl("events").output;
  INFO(events);
  CHECK(events.find("FailedPostStartHook") != std::string::npos);
}
