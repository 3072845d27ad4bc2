#include "test/e2e/cluster/joined_node.h"

#include <catch2/catch.hpp>

#include <cstdlib>

namespace nodeagent::cluster::testing {

using nodeagent::testing::AgentHarness;
using nodeagent::testing::AgentOptions;

namespace {

const ControlPlane& up(const ControlPlane& cp) {
  INFO(cp.why());
  REQUIRE(cp.up());
  return cp;
}

}  // namespace

JoinedNode::JoinedNode(std::vector<std::string> extra_flags) : cp(up(ControlPlane::shared())) {
  netns = std::make_unique<NodeNetns>(cp, "node", kNodeIp);
  // A real node has a default route: without one the node's own connections to a ClusterIP fail
  // before kube-proxy's OUTPUT DNAT. Via the control plane's netns, which routes nothing out.
  sh("ip -n " + netns->name() + " route add default via 10.250.0.1");
  AgentOptions o;
  o.existing_netns = netns->name();
  o.network = true;  // pod IPs from the podCIDR the controller-manager allocates
  o.extra_flags = {"--kubeconfig", cp.node_kubeconfig(node), "--proxy-kubeconfig", cp.proxy_kubeconfig(node),
                   "--node-ip", kNodeIp, "--cluster-cidr", "10.244.0.0/16"};
  o.extra_flags.insert(o.extra_flags.end(), extra_flags.begin(), extra_flags.end());
  agent = std::make_unique<AgentHarness>(o);
}

JoinedNode::~JoinedNode() {
  // Controllers first (they would make new pods), then the pods: the harness checks that nothing
  // of the agent's is left, so the node must have finished them before it stops.
  for (const auto& ns : namespaces) {
    cp.kubectl("delete deployments,replicasets,daemonsets,statefulsets,jobs --all -n " + ns +
               " --wait=true --timeout=120s >/dev/null 2>&1");
    // Not the `kubernetes` Service (provider=kubernetes).
    cp.kubectl("delete services -l provider!=kubernetes -n " + ns + " >/dev/null 2>&1");
    cp.kubectl("delete pods --all -n " + ns + " --wait=true --timeout=120s >/dev/null 2>&1");
  }
  agent.reset();
  netns.reset();
}

bool JoinedNode::wait_ready(int seconds) const {
  return eventually(seconds, [&] { return node_condition(cp, node, "Ready") == "True"; });
}

std::string pod_yaml(const std::string& name, const std::string& node, const std::string& command, int grace) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  nodeName: " + node +
         "\n  automountServiceAccountToken: false\n  terminationGracePeriodSeconds: " + std::to_string(grace) +
         "\n  containers:\n  - name: main\n    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
         "    command: [\"sh\", \"-c\", \"" + command + "\"]\n";
}

nlohmann::json api_pod(const ControlPlane& cp, const std::string& pod, const std::string& ns) {
  auto p = cp.kubectl_json("get pod " + pod + " -n " + ns);
  return p.is_object() ? p : nlohmann::json();
}

std::string phase(const ControlPlane& cp, const std::string& pod, const std::string& ns) {
  auto p = api_pod(cp, pod, ns);
  return p.is_object() ? p["status"].value("phase", "") : "";
}

std::vector<nlohmann::json> api_pods(const ControlPlane& cp, const std::string& selector, const std::string& ns) {
  auto list = cp.kubectl_json("get pods -n " + ns + " -l " + selector);
  std::vector<nlohmann::json> out;
  if (list.is_object())
    for (const auto& p : list["items"]) out.push_back(p);
  return out;
}

int running_on(const ControlPlane& cp, const std::string& selector, const std::string& node, const std::string& ns) {
  int count = 0;
  for (const auto& p : api_pods(cp, selector, ns))
    count += p["status"].value("phase", "") == "Running" && p["spec"].value("nodeName", "") == node &&
             !p["metadata"].contains("deletionTimestamp");
  return count;
}

std::string node_condition(const ControlPlane& cp, const std::string& node, const std::string& type) {
  auto n = cp.kubectl_json("get node " + node);
  if (!n.is_object()) return "";
  for (const auto& c : n["status"]["conditions"])
    if (c.value("type", "") == type) return c.value("status", "");
  return "";
}

std::map<std::string, std::pair<std::string, int>> container_ids(const nlohmann::json& pod) {
  std::map<std::string, std::pair<std::string, int>> out;
  if (!pod.is_object() || !pod["status"].contains("containerStatuses")) return out;
  for (const auto& c : pod["status"]["containerStatuses"])
    out[c.value("name", "")] = {c.value("containerID", ""), c.value("restartCount", -1)};
  return out;
}

int task_pid(const AgentHarness& agent, const nlohmann::json& pod, const std::string& container) {
  std::string id = container_ids(pod)[container].first;
  if (auto p = id.find("://"); p != std::string::npos) id = id.substr(p + 3);
  if (id.empty()) return 0;
  auto out = sh("ctr --address " + nodeagent::testing::ContainerdFixture::instance().socket() + " -n " + agent.ns().name() +
                " tasks ls | awk '$1==\"" + id + "\" && $3==\"RUNNING\" {print $2}'");
  return out.empty() ? 0 : std::atoi(out.c_str());
}

}  // namespace nodeagent::cluster::testing
