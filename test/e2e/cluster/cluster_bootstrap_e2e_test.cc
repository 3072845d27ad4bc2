// The join as `kubeadm join` does it: the agent starts with only a bootstrap token
// (--bootstrap-kubeconfig), gets its node client certificate through the CSR API, registers the
// Node and runs pods; and the node's own admission, which the scheduler cannot stand in for
// when a pod names its node itself: a pod asking more cpu than the node has is rejected with
// OutOfcpu, a second pod on a taken hostPort with NodePorts, both Failed in the API.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include "test/e2e/agent/agent_harness.h"
#include "test/support/control_plane_fixture.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {

using nodeagent::cluster::testing::ControlPlane;

struct BootstrappedNode {
  const ControlPlane& cp = up(ControlPlane::shared());
  std::string node = "node-" + std::to_string(::getpid()) + "-boot";  // the harness's name for it
  std::string netns = "na-test-bt-" + std::to_string(::getpid());
  TempDir state{"na-bootstrap-e2e"};
  std::string kubeconfig = state.file("kubeconfig");  // written by the bootstrap
  std::unique_ptr<AgentHarness> agent;

  static const ControlPlane& up(const ControlPlane& cp) {
    INFO(cp.why());
    REQUIRE(cp.up());
    return cp;
  }
  BootstrappedNode() {
    run_command("ip netns delete " + netns + " 2>/dev/null");
    REQUIRE(run_command("ip netns add " + netns + " && ip netns exec " + netns + " ip link set lo up").exit_code == 0);
    cp.connect(netns, "10.250.0.20");
    AgentOptions o;
    o.existing_netns = netns;
    o.node_suffix = "-boot";
    o.extra_flags = {"--bootstrap-kubeconfig", cp.bootstrap_kubeconfig(), "--kubeconfig", kubeconfig,
                     "--cert-dir", state.file("pki"), "--rotate-certificates", "--node-ip", "10.250.0.20"};
    agent = std::make_unique<AgentHarness>(o);
  }
  ~BootstrappedNode() {
    cp.kubectl("delete pods --all -n default --wait=true --timeout=120s >/dev/null 2>&1");
    agent.reset();
    cp.kubectl("delete node " + node + " >/dev/null 2>&1");
    run_command("ip netns delete " + netns + " 2>/dev/null");
  }
};

std::string pod_yaml(const std::string& name, const std::string& node, const std::string& extra_container_fields) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  nodeName: " + node +
         "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n"
         "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n    command: [sleep, \"3600\"]\n" +
         extra_container_fields;
}

nlohmann::json pod_status(const ControlPlane& cp, const std::string& pod) {
  auto p = cp.kubectl_json("get pod " + pod + " -n default");
  return p.is_object() ? p["status"] : nlohmann::json::object();
}

}  // namespace

TEST_CASE("cluster: a bootstrap token is enough to join; admission rejects what the node cannot run", "[cluster]") {
  BootstrappedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(AgentHarness::eventually([&] {
    auto node = n.cp.kubectl_json("get node " + n.node);
    if (!node.is_object()) return false;
    for (const auto& c : node["status"]["conditions"])
      if (c["type"] == "Ready") return c["status"] == "True";
    return false;
  }, 90s));
  // The agent wrote its kubeconfig for the issued certificate, kubelet's layout.
  CHECK(std::filesystem::is_symlink(n.state.file("pki/kubelet-client-current.pem")));
  CHECK(slurp(n.kubeconfig).find("kubelet-client-current.pem") != std::string::npos);

  int rc = 0;
  n.cp.apply(pod_yaml("ports-a", n.node, "    ports: [{containerPort: 80, hostPort: 18080}]\n"), &rc);
  REQUIRE(rc == 0);
  REQUIRE(AgentHarness::eventually([&] { return pod_status(n.cp, "ports-a").value("phase", "") == "Running"; }, 60s));

  // The node has 2 cores here (or however many): 1000 cores never fit.
  n.cp.apply(pod_yaml("huge", n.node, "    resources: {requests: {cpu: \"1000\"}}\n"), &rc);
  REQUIRE(rc == 0);
  n.cp.apply(pod_yaml("ports-b", n.node, "    ports: [{containerPort: 80, hostPort: 18080}]\n"), &rc);
  REQUIRE(rc == 0);
  REQUIRE(AgentHarness::eventually([&] { return pod_status(n.cp, "huge").value("phase", "") == "Failed"; }, 60s));
  auto huge = pod_status(n.cp, "huge");
  CHECK(huge.value("reason", "") == "OutOfcpu");
  CHECK(huge.value("message", "").rfind("Pod was rejected: Node didn't have enough resource: cpu, requested: 1000000, used: ", 0) == 0);
  REQUIRE(AgentHarness::eventually([&] { return pod_status(n.cp, "ports-b").value("phase", "") == "Failed"; }, 60s));
  auto ports = pod_status(n.cp, "ports-b");
  CHECK(ports.value("reason", "") == "NodePorts");
  CHECK(ports.value("message", "") ==
        "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
  // The event carries the same reason, and the running pod is untouched.
  CHECK(AgentHarness::eventually([&] {
    auto events = n.cp.kubectl_json("get events -n default --field-selector involvedObject.name=huge");
    if (!events.is_object()) return false;
    for (const auto& e : events["items"])
      if (e["reason"] == "OutOfcpu" && e["type"] == "Warning") return true;
    return false;
  }, 30s));
  CHECK(pod_status(n.cp, "ports-a").value("phase", "") == "Running");
}

TEST_CASE("cluster: readinessGates hold Ready until another client sets the condition through the API", "[cluster]") {
  BootstrappedNode n;
  INFO(n.agent->agent_log());
  int rc = 0;
  std::string yaml = pod_yaml("gated", n.node, "");
  yaml.replace(yaml.find("  containers:"), 0, "  readinessGates:\n  - conditionType: example.com/load-balancer\n");
  auto made = n.cp.apply(yaml, &rc);
  INFO(made);
  REQUIRE(rc == 0);
  auto condition = [&](const std::string& type) -> nlohmann::json {
    for (const auto& c : pod_status(n.cp, "gated").value("conditions", nlohmann::json::array()))
      if (c["type"] == type) return c;
    return nullptr;
  };
  REQUIRE(AgentHarness::eventually([&] { return pod_status(n.cp, "gated").value("phase", "") == "Running"; }, 90s));
  REQUIRE(AgentHarness::eventually([&] {
    auto ready = condition("Ready");
    return ready.is_object() && ready["status"] == "False" && ready.value("reason", "") == "ReadinessGatesNotReady";
  }, 30s));
  CHECK(condition("ContainersReady")["status"] == "True");
  CHECK(condition("Ready")["message"] ==
        "corresponding condition of pod readiness gate \"example.com/load-balancer\" does not exist.");

  // A controller (here: kubectl as admin) sets the gate's condition on the pod's status.
  auto patched = n.cp.kubectl(
      "patch pod gated -n default --subresource=status --type=strategic -p "
      "'{\"status\":{\"conditions\":[{\"type\":\"example.com/load-balancer\",\"status\":\"True\"}]}}' 2>&1",
      &rc);
  INFO(patched);
  REQUIRE(rc == 0);
  CHECK(AgentHarness::eventually([&] {
    auto ready = condition("Ready");
    return ready.is_object() && ready["status"] == "True";
  }, 30s));
  CHECK(condition("example.com/load-balancer")["status"] == "True");  // the node kept it
}
