// The join when things fail, against the real control plane: kube-apiserver stopped for 5 minutes
// (pods untouched and serving, the node still registered, what happened meanwhile caught up, the
// Lease renewed); a 410 Gone on the watches' resume (etcd moved on and compacted while the API server
// was away) relists without restarting anything; the agent killed with SIGKILL adopts its pods
// (same container ids, no restarts, no duplicates); the node cut off from the API server past the
// node-monitor grace period (50 s) is marked Unknown by the node controller and becomes Ready
// again when it is back, with its pods untouched.
#include <signal.h>

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "kube/base64.h"
#include "test/e2e/cluster/joined_node.h"

using namespace nodeagent::testing;
using namespace nodeagent::cluster::testing;
using namespace std::chrono_literals;

namespace {

std::string lease_renew_time(const ControlPlane& cp, const std::string& node) {
  auto lease = cp.kubectl_json("get lease " + node + " -n kube-node-lease");
  return lease.is_object() ? lease["spec"].value("renewTime", "") : "";
}

// A pod that runs for `seconds`, then exits 0 and is not restarted.
std::string finishing_pod_yaml(const std::string& name, const std::string& node, int seconds) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  nodeName: " + node +
         "\n  restartPolicy: Never\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n"
         "  containers:\n  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
         "    command: [sh, -c, 'sleep " + std::to_string(seconds) + "']\n";
}

const std::string kStaticPod =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stat\nspec:\n  containers:\n  - name: c\n"
    "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n    command: [sleep, \"3600\"]\n";

// While kube-apiserver is stopped: a write to etcd moves its revision past every resourceVersion
// the agent has seen, and a compaction at that revision drops the history; the API server's new
// watch cache starts there, so every resumed watch gets 410 Gone.
void move_etcd_on_and_compact(const ControlPlane& cp) {
  const std::string key = nodeagent::kube::base64_encode("/nodeagent-test/bump");
  auto put = nlohmann::json::parse(cp.etcd("kv/put", R"({"key":")" + key + R"(","value":"eA=="})"), nullptr, false);
  INFO(put.dump());
  REQUIRE(put.is_object());
  const std::string revision = put["header"].value("revision", "");
  REQUIRE(!revision.empty());
  auto compacted = cp.etcd("kv/compaction", R"({"revision":")" + revision + R"(","physical":true})");
  INFO(compacted);
  REQUIRE(compacted.find("header") != std::string::npos);
}

// A long-running pod applied and Running, with what must not change while the node is
// disturbed: its container ids and restart counts, and its main process.
struct SteadyPod {
  std::map<std::string, std::pair<std::string, int>> containers;
  nlohmann::json pod;
  int pid = 0;
};

SteadyPod start_steady_pod(JoinedNode& n) {
  int rc = 0;
  n.cp.apply(pod_yaml("steady", n.node, "exec sleep 3600"), &rc);
  REQUIRE(rc == 0);
  REQUIRE(eventually(60, [&] { return phase(n.cp, "steady") == "Running"; }));
  SteadyPod s;
  s.pod = api_pod(n.cp, "steady");
  s.containers = container_ids(s.pod);
  s.pid = task_pid(*n.agent, s.pod, "main");
  REQUIRE(s.pid > 0);
  return s;
}

bool untouched(JoinedNode& n, const SteadyPod& s) {
  return container_ids(api_pod(n.cp, "steady")) == s.containers && task_pid(*n.agent, s.pod, "main") == s.pid;
}

}  // namespace

TEST_CASE("cluster: kube-apiserver away for 5 minutes: pods untouched and serving, node registered, status, events "
          "and Lease caught up",
          "[cluster][resilience]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  n.cp.apply(pod_yaml("steady", n.node, "echo steady >/tmp/index.html && exec httpd -f -p 8080 -h /tmp"), &rc);
  REQUIRE(rc == 0);
  n.cp.apply(finishing_pod_yaml("finisher", n.node, 20), &rc);
  REQUIRE(rc == 0);
  REQUIRE(eventually(60, [&] { return phase(n.cp, "steady") == "Running" && phase(n.cp, "finisher") == "Running"; }));
  const auto before = container_ids(api_pod(n.cp, "steady"));
  const auto steady = api_pod(n.cp, "steady");
  const int pid = task_pid(*n.agent, steady, "main");
  REQUIRE(pid > 0);
  const std::string pod_ip = steady["status"].value("podIP", "");
  REQUIRE(!pod_ip.empty());
  CHECK(curl_in_netns(n.netns->name(), pod_ip, 8080) == "steady\n");
  const std::string renewed_before = lease_renew_time(n.cp, n.node);

  const auto stopped_at = std::chrono::steady_clock::now();
  n.cp.stop_apiserver();
  // Meanwhile: `finisher` exits (Succeeded); a static pod starts (its mirror pod and events wait).
  n.agent->write_manifest("static.yaml", kStaticPod);
  CHECK(AgentHarness::eventually([&] { return n.agent->container_pid("stat", "c") > 0; }, 30s));
  // kubelet's contract: the API server away changes nothing on the node. The pod keeps serving.
  int served = 0, asked = 0;
  for (auto at = stopped_at + 30s; at <= stopped_at + 300s; at += 30s) {
    std::this_thread::sleep_until(at);
    ++asked;
    served += curl_in_netns(n.netns->name(), pod_ip, 8080) == "steady\n";
  }
  CHECK(served == asked);
  CHECK(task_pid(*n.agent, steady, "main") == pid);
  n.cp.start_apiserver();
  const auto back_at = std::chrono::steady_clock::now();

  // The node is still there and Ready; the Lease is renewed within its duration.
  CHECK(eventually(40, [&] { return lease_renew_time(n.cp, n.node) > renewed_before; }));
  CHECK(n.wait_ready(40));
  // What happened while the API server was away reached it.
  CHECK(eventually(30, [&] { return phase(n.cp, "finisher") == "Succeeded"; }));
  const std::string mirror = "stat-" + n.node;
  CHECK(eventually(30, [&] { return phase(n.cp, mirror) == "Running"; }));
  CHECK(eventually(30, [&] {
    auto events = n.cp.kubectl_json("get events -n default --field-selector involvedObject.name=" + mirror);
    if (!events.is_object()) return false;
    for (const auto& e : events["items"])
      if (e["reason"] == "Started" && e["source"].value("host", "") == n.node) return true;
    return false;
  }));
  std::cerr << "API server back: caught up in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - back_at).count()
            << " ms\n";
  // Nothing was restarted.
  CHECK(container_ids(api_pod(n.cp, "steady")) == before);
  CHECK(task_pid(*n.agent, steady, "main") == pid);
  n.agent->remove_manifest("static.yaml");
  CHECK(eventually(60, [&] { return !api_pod(n.cp, mirror).is_object(); }));
}

TEST_CASE("cluster: a 410 Gone when the watches resume relists and restarts nothing", "[cluster][resilience]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  const SteadyPod steady = start_steady_pod(n);

  n.cp.stop_apiserver();
  move_etcd_on_and_compact(n.cp);
  n.cp.start_apiserver();

  // The pod reflector was told its resourceVersion is gone, and relisted.
  CHECK(AgentHarness::eventually([&] { return n.agent->agent_log().find("pods: watch expired") != std::string::npos; },
                                 60s));
  // The relist changed nothing on the node, and the watch that followed works: a new pod runs,
  // a deleted one goes.
  n.cp.apply(pod_yaml("after", n.node, "exec sleep 3600"), &rc);
  REQUIRE(rc == 0);
  CHECK(eventually(60, [&] { return phase(n.cp, "after") == "Running"; }));
  CHECK(untouched(n, steady));
  n.cp.kubectl("delete pod after -n default --wait=true --timeout=60s >/dev/null 2>&1", &rc);
  CHECK(rc == 0);
}

TEST_CASE("cluster: after kill -9 the agent adopts its pods: same containers, no restarts, no duplicates",
          "[cluster][resilience]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  n.cp.apply(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 2\n"
      "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
      "      terminationGracePeriodSeconds: 2\n      containers:\n      - name: main\n"
      "        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
      "        command: [sh, -c, 'exec sleep 3600']\n",
      &rc);
  REQUIRE(rc == 0);
  REQUIRE(eventually(90, [&] { return running_on(n.cp, "app=web", n.node) == 2; }));
  std::map<std::string, std::map<std::string, std::pair<std::string, int>>> before;
  for (const auto& p : api_pods(n.cp, "app=web")) before[p["metadata"]["name"]] = container_ids(p);
  const std::string renewed_before = lease_renew_time(n.cp, n.node);

  n.agent->kill_agent(SIGKILL);
  // A pod bound while the agent is down.
  n.cp.apply(pod_yaml("late", n.node, "exec sleep 3600"), &rc);
  REQUIRE(rc == 0);
  std::this_thread::sleep_for(5s);
  n.agent->start_agent();

  CHECK(eventually(60, [&] { return phase(n.cp, "late") == "Running"; }));
  // The same pods with the same containers, none restarted, none made twice.
  std::map<std::string, std::map<std::string, std::pair<std::string, int>>> after;
  for (const auto& p : api_pods(n.cp, "app=web")) after[p["metadata"]["name"]] = container_ids(p);
  CHECK(after == before);
  auto ps = n.agent->nodectl("ps -a");
  INFO(ps.output);
  int containers = 0;
  for (std::istringstream lines(ps.output); std::getline(lines, ps.output);) containers += ps.output.find("main") != std::string::npos;
  CHECK(containers == 3);
  // The node stayed Ready: its Lease was renewed within its 40 s duration, never let lapse.
  CHECK(node_condition(n.cp, n.node, "Ready") == "True");
  CHECK(eventually(20, [&] { return lease_renew_time(n.cp, n.node) > renewed_before; }));
  // Status goes on: a pod deleted now is finished by the restarted agent.
  const std::string victim = before.begin()->first;
  n.cp.kubectl("delete pod " + victim + " -n default --wait=true --timeout=60s >/dev/null 2>&1", &rc);
  CHECK(rc == 0);
  CHECK(eventually(60, [&] { return running_on(n.cp, "app=web", n.node) == 2; }));
}

TEST_CASE("cluster: a node cut off past the grace period goes Unknown, and Ready again when it is back",
          "[cluster][resilience]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  const SteadyPod steady = start_steady_pod(n);

  // The node's link to the control plane goes down: the controller-manager still runs.
  const auto cut_at = std::chrono::steady_clock::now();
  REQUIRE(sh("ip -n " + n.netns->name() + " link set cp0 down", &rc).empty());
  REQUIRE(rc == 0);
  CHECK(eventually(90, [&] { return node_condition(n.cp, n.node, "Ready") == "Unknown"; }));
  std::cerr << "Ready Unknown after "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - cut_at).count() << " s\n";
  auto taints = n.cp.kubectl("get node " + n.node + " -o jsonpath='{.spec.taints[*].key}'");
  CHECK(taints.find("node.kubernetes.io/unreachable") != std::string::npos);
  sh("ip -n " + n.netns->name() + " link set cp0 up");
  const auto back_at = std::chrono::steady_clock::now();
  CHECK(n.wait_ready(60));
  CHECK(eventually(30, [&] {
    return n.cp.kubectl("get node " + n.node + " -o jsonpath='{.spec.taints[*].key}'").find("unreachable") == std::string::npos;
  }));
  std::cerr << "Ready again after "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - back_at).count() << " s\n";
  CHECK(untouched(n, steady));
}
