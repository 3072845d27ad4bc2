// Tests of the `nodectl pods` row: kubectl's STATUS words, READY, RESTARTS and the table.
#include <catch2/catch.hpp>

#include "agent/ctl/format.h"
#include "util/rfc3339.h"

using namespace nodeagent::ctl;
using nodeagent::parse_rfc3339;
using nlohmann::json;

namespace {

const TimePoint kNow = *parse_rfc3339("2024-05-01T12:00:00Z");

json running(bool ready = true) {
  return {{"name", "app"}, {"ready", ready}, {"restartCount", 0}, {"state", {{"running", {{"startedAt", "2024-05-01T11:00:00Z"}}}}}};
}
json waiting(const std::string& reason, int restarts = 0) {
  return {{"name", "app"}, {"ready", false}, {"restartCount", restarts}, {"state", {{"waiting", {{"reason", reason}}}}}};
}
json terminated(int code, const std::string& reason = "", int signal = 0) {
  json t = {{"exitCode", code}};
  if (!reason.empty()) t["reason"] = reason;
  if (signal) t["signal"] = signal;
  return {{"name", "app"}, {"ready", false}, {"restartCount", 0}, {"state", {{"terminated", t}}}};
}

json pod(json statuses, json init_statuses = json::array(), int init_specs = 0) {
  json containers = json::array();
  for (size_t i = 0; i < statuses.size(); ++i) containers.push_back({{"name", "c" + std::to_string(i)}});
  json inits = json::array();
  for (int i = 0; i < init_specs; ++i) inits.push_back({{"name", "init" + std::to_string(i)}});
  return {{"metadata", {{"name", "web"}, {"namespace", "default"}, {"creationTimestamp", "2024-05-01T11:57:00Z"}}},
          {"spec", {{"containers", containers}, {"initContainers", inits}, {"nodeName", "node-1"}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", "10.244.0.5"},
            {"containerStatuses", statuses},
            {"initContainerStatuses", init_statuses}}}};
}

}  // namespace

TEST_CASE("a running ready pod") {
  PodRow row = pod_row(pod(json::array({running()})), kNow);
  CHECK(row.name == "web");
  CHECK(row.namespace_name == "default");
  CHECK(row.ready == "1/1");
  CHECK(row.status == "Running");
  CHECK(row.restarts == "0");
  CHECK(row.age == "3m");
  CHECK(row.ip == "10.244.0.5");
  CHECK(row.node == "node-1");
}

TEST_CASE("waiting and terminated reasons of app containers win over the phase") {
  CHECK(pod_row(pod(json::array({waiting("ContainerCreating")})), kNow).status == "ContainerCreating");
  CHECK(pod_row(pod(json::array({waiting("ErrImagePull")})), kNow).status == "ErrImagePull");
  CHECK(pod_row(pod(json::array({terminated(137, "OOMKilled")})), kNow).status == "OOMKilled");
  CHECK(pod_row(pod(json::array({terminated(2)})), kNow).status == "ExitCode:2");
  CHECK(pod_row(pod(json::array({terminated(0, "", 9)})), kNow).status == "Signal:9");
  // The first container in spec order decides (kubectl walks them backwards).
  CHECK(pod_row(pod(json::array({waiting("CrashLoopBackOff", 4), running()})), kNow).status == "CrashLoopBackOff");
  CHECK(pod_row(pod(json::array({waiting("CrashLoopBackOff", 4), running()})), kNow).ready == "1/2");
}

TEST_CASE("CrashLoopBackOff counts restarts and shows when the last one was") {
  json c = waiting("CrashLoopBackOff", 5);
  c["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T11:58:30Z"}}}};
  PodRow row = pod_row(pod(json::array({c})), kNow);
  CHECK(row.status == "CrashLoopBackOff");
  CHECK(row.restarts == "5 (90s ago)");
  CHECK(row.ready == "0/1");
}

TEST_CASE("Completed with a container still running reads Running or NotReady") {
  json p = pod(json::array({terminated(0, "Completed"), running()}));
  CHECK(pod_row(p, kNow).status == "NotReady");
  p["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"}}});
  CHECK(pod_row(p, kNow).status == "Running");
  json done = pod(json::array({terminated(0, "Completed")}));
  done["status"]["phase"] = "Succeeded";
  CHECK(pod_row(done, kNow).status == "Completed");
}

TEST_CASE("init containers: Init:N/M, Init:reason, Init:ExitCode, PodInitializing") {
  json init_running = {{"name", "init0"}, {"restartCount", 0}, {"state", {{"running", json::object()}}}};
  json init_done = {{"name", "init0"}, {"restartCount", 0}, {"state", {{"terminated", {{"exitCode", 0}}}}}};
  json init1_running = init_running;
  init1_running["name"] = "init1";

  json p = pod(json::array({waiting("PodInitializing")}), json::array({init_done, init1_running}), 2);
  p["status"]["phase"] = "Pending";
  CHECK(pod_row(p, kNow).status == "Init:1/2");

  json failed = {{"name", "init0"}, {"restartCount", 2}, {"state", {{"terminated", {{"exitCode", 3}}}}}};
  p["status"]["initContainerStatuses"] = json::array({failed});
  CHECK(pod_row(p, kNow).status == "Init:ExitCode:3");
  CHECK(pod_row(p, kNow).restarts == "2");

  json crash = {{"name", "init0"}, {"restartCount", 1}, {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}};
  p["status"]["initContainerStatuses"] = json::array({crash});
  CHECK(pod_row(p, kNow).status == "Init:CrashLoopBackOff");

  // All init containers done: the app container's own waiting reason shows.
  p["status"]["initContainerStatuses"] = json::array({init_done});
  p["spec"]["initContainers"] = json::array({{{"name", "init0"}}});
  CHECK(pod_row(p, kNow).status == "PodInitializing");
}

TEST_CASE("sidecars count as containers and their readiness counts") {
  json p = pod(json::array({running()}));
  p["spec"]["initContainers"] = json::array({{{"name", "proxy"}, {"restartPolicy", "Always"}}});
  p["status"]["initContainerStatuses"] = json::array(
      {{{"name", "proxy"}, {"ready", true}, {"started", true}, {"restartCount", 1}, {"state", {{"running", json::object()}}}}});
  PodRow row = pod_row(p, kNow);
  CHECK(row.ready == "2/2");
  CHECK(row.status == "Running");
  CHECK(row.restarts == "1");
}

TEST_CASE("deletion shows Terminating unless the pod already finished") {
  json p = pod(json::array({running()}));
  p["metadata"]["deletionTimestamp"] = "2024-05-01T11:59:00Z";
  CHECK(pod_row(p, kNow).status == "Terminating");
  p["status"]["phase"] = "Succeeded";
  p["status"]["containerStatuses"] = json::array({terminated(0, "Completed")});
  CHECK(pod_row(p, kNow).status == "Completed");
}

TEST_CASE("pod-level reason (Evicted, DeadlineExceeded) replaces the phase") {
  json p = pod(json::array());
  p["status"]["phase"] = "Failed";
  p["status"]["reason"] = "DeadlineExceeded";
  CHECK(pod_row(p, kNow).status == "DeadlineExceeded");
  CHECK(pod_row(p, kNow).ready == "0/0");
}

TEST_CASE("missing fields do not throw and show placeholders") {
  PodRow row = pod_row(json{{"metadata", {{"name", "bare"}}}}, kNow);
  CHECK(row.status == "");
  CHECK(row.age == "<unknown>");
  CHECK(row.ip == "<none>");
  CHECK(row.node == "<none>");
  CHECK(row.namespace_name == "default");
  CHECK_NOTHROW(pod_row(json("not an object"), kNow));
}

TEST_CASE("pods_table adds NAMESPACE when namespaces are mixed or -A, NODE when wide") {
  json a = pod(json::array({running()}));
  json b = a;
  b["metadata"]["name"] = "db";
  json list = {{"items", json::array({a, b})}};
  std::string t = pods_table(list, kNow, {});
  CHECK(t ==
        "NAME   READY   STATUS    RESTARTS   AGE   IP\n"
        "web    1/1     Running   0          3m    10.244.0.5\n"
        "db     1/1     Running   0          3m    10.244.0.5\n");
  CHECK(pods_table(list, kNow, {false, true}).rfind("NAMESPACE   NAME", 0) == 0);
  b["metadata"]["namespace"] = "kube-system";
  list = {{"items", json::array({a, b})}};
  std::string mixed = pods_table(list, kNow, {true, false});
  CHECK(mixed.rfind("NAMESPACE     NAME", 0) == 0);
  CHECK(mixed.find("kube-system   db") != std::string::npos);
  CHECK(mixed.find("   NODE\n") != std::string::npos);
  CHECK(mixed.find("10.244.0.5   node-1\n") != std::string::npos);
}
