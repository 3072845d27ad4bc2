// Shared by the control-plane e2e tests: the process's real control plane (one per test binary),
// a node netns on its bridge, and the nodeagent binary joined to it with the node's identity
// (kube-proxy's for the service proxy), with pod networking from the controller-manager's podCIDR.
// The destructor deletes the test's workloads and pods through the API first (the node finishes
// them), then stops the agent, whose harness checks that nothing of it is left on the machine.
#pragma once

#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test/e2e/agent/agent_harness.h"
#include "test/support/control_plane_fixture.h"

namespace nodeagent::cluster::testing {

inline constexpr const char* kNodeIp = "10.250.0.10";

struct JoinedNode {
  explicit JoinedNode(std::vector<std::string> extra_flags = {});
  ~JoinedNode();
  JoinedNode(const JoinedNode&) = delete;
  JoinedNode& operator=(const JoinedNode&) = delete;

  // Waits until the Node is Ready (the scheduler places pods only then); false after `seconds`.
  bool wait_ready(int seconds = 60) const;

  const ControlPlane& cp;
  // Where the destructor deletes workloads and pods (a test that makes a namespace adds it).
  std::vector<std::string> namespaces{"default"};
  std::string node = "node-" + std::to_string(::getpid());
  std::unique_ptr<NodeNetns> netns;
  std::unique_ptr<nodeagent::testing::AgentHarness> agent;
};

// A bare pod bound to `node` (no scheduler), busybox running `sh -c command`.
std::string pod_yaml(const std::string& name, const std::string& node, const std::string& command, int grace = 30);

// The API's view of a pod in `default` (null when absent), and its phase ("" when absent).
nlohmann::json api_pod(const ControlPlane& cp, const std::string& pod, const std::string& ns = "default");
std::string phase(const ControlPlane& cp, const std::string& pod, const std::string& ns = "default");
// The pods matching a label selector in `ns` (an empty list on failure).
std::vector<nlohmann::json> api_pods(const ControlPlane& cp, const std::string& selector, const std::string& ns = "default");
int running_on(const ControlPlane& cp, const std::string& selector, const std::string& node, const std::string& ns = "default");
// The value of the Node's condition `type` ("" when absent).
std::string node_condition(const ControlPlane& cp, const std::string& node, const std::string& type);
// containerID of every container of a pod, keyed by name, with its restartCount.
std::map<std::string, std::pair<std::string, int>> container_ids(const nlohmann::json& pod);

// The pid of the running task of `container` of an API pod (by the containerID in its status), 0
// when it does not run: the same pid before and after means the process was never restarted.
int task_pid(const nodeagent::testing::AgentHarness& agent, const nlohmann::json& pod, const std::string& container);

}  // namespace nodeagent::cluster::testing
