// Namespace policy through the real admission chain: a LimitRange's defaults land in the pod's
// spec and the agent applies them (the container's cgroup shows the limits and the request's
// shares); a ResourceQuota refuses a pod that would exceed it, and that pod never reaches the node.
#include <catch2/catch.hpp>

#include <thread>

#include "test/e2e/agent/pod_json.h"
#include "test/e2e/cluster/joined_node.h"

using namespace nodeagent::testing;
using namespace nodeagent::cluster::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kNs = "limited";

std::string sleeper(const std::string& name, const std::string& node) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + kNs + "\nspec:\n  nodeName: " + node +
         "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n"
         "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n    command: [sleep, '3600']\n";
}

// A cgroup v1 file of the pod's container, read inside it (runc mounts the container's own
// cgroup at /sys/fs/cgroup/<controller>).
std::string cgroup_file(const AgentHarness& agent, const std::string& pod, const std::string& file) {
  return trim(agent.nodectl(std::string("exec ") + kNs + "/" + pod + " -- cat /sys/fs/cgroup/" + file).output);
}

}  // namespace

TEST_CASE("cluster: a LimitRange's defaults reach the container's cgroup; a ResourceQuota keeps a pod off the node",
          "[cluster][resources]") {
  JoinedNode n;
  n.namespaces.push_back(kNs);
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  auto made = n.cp.apply(std::string("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ") + kNs +
                             "\n---\napiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: " + kNs +
                             "\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 64Mi}\n"
                             "    defaultRequest: {cpu: 100m, memory: 32Mi}\n"
                             "---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  namespace: " + kNs +
                             "\nspec:\n  hard: {limits.memory: 100Mi}\n",
                         &rc);
  INFO(made);
  REQUIRE(rc == 0);
  // Pods are admitted only once the namespace's ServiceAccount exists and the quota has a status.
  REQUIRE(eventually(30, [&] {
    auto quota = n.cp.kubectl_json(std::string("get resourcequota quota -n ") + kNs);
    return n.cp.kubectl_json(std::string("get serviceaccount default -n ") + kNs).is_object() && quota.is_object() &&
           quota["status"].contains("hard");
  }));

  made = n.cp.apply(sleeper("first", n.node), &rc);
  INFO(made);
  REQUIRE(rc == 0);
  // The LimitRanger wrote the defaults into the spec...
  auto pod = api_pod(n.cp, "first", kNs);
  REQUIRE(pod.is_object());
  const auto& resources = pod["spec"]["containers"][0]["resources"];
  CHECK(resources["limits"].value("memory", "") == "64Mi");
  CHECK(resources["limits"].value("cpu", "") == "500m");
  CHECK(resources["requests"].value("cpu", "") == "100m");
  REQUIRE(eventually(60, [&] { return phase(n.cp, "first", kNs) == "Running"; }));
  CHECK(api_pod(n.cp, "first", kNs)["status"].value("qosClass", "") == "Burstable");
  // ...and the agent applied them: 64 Mi of memory, 500m of CPU per 100 ms period, 100m's shares.
  CHECK(cgroup_file(*n.agent, "first", "memory/memory.limit_in_bytes") == "67108864");
  CHECK(cgroup_file(*n.agent, "first", "cpu/cpu.cfs_quota_us") == "50000");
  CHECK(cgroup_file(*n.agent, "first", "cpu/cpu.cfs_period_us") == "100000");
  CHECK(cgroup_file(*n.agent, "first", "cpu/cpu.shares") == "102");

  // A second 64 Mi pod would put the namespace at 128 Mi of limits: the quota refuses it.
  auto refused = n.cp.apply(sleeper("second", n.node), &rc);
  INFO(refused);
  CHECK(rc != 0);
  CHECK(refused.find("exceeded quota: quota") != std::string::npos);
  CHECK(!api_pod(n.cp, "second", kNs).is_object());
  std::this_thread::sleep_for(3s);
  CHECK(n.agent->nodectl("pods -A").output.find("second") == std::string::npos);
  CHECK(n.agent->nodectl("pods -A").output.find("first") != std::string::npos);
  // What the quota counts.
  auto quota = n.cp.kubectl_json(std::string("get resourcequota quota -n ") + kNs);
  CHECK(quota["status"]["used"].value("limits.memory", "") == "64Mi");

  n.cp.kubectl(std::string("delete pods --all -n ") + kNs + " --wait=true --timeout=60s >/dev/null 2>&1");
  n.cp.kubectl(std::string("delete namespace ") + kNs + " --wait=false >/dev/null 2>&1");
}
