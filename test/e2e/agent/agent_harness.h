// An e2e harness: the real nodeagent binary against the test's private containerd, with its own
// root dir, log dir, manifest dir, API socket and containerd namespace, driven through the real
// nodectl binary. Teardown deletes every manifest, waits for the agent to clean up, stops it,
// and fails the test if anything of the agent's is left (containers, mounts, pod dirs).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test/support/containerd_fixture.h"

namespace nodeagent::testing {

struct AgentOptions {
  std::vector<std::string> extra_flags;
  bool import_test_image = true;  // as docker.io/library/busybox:latest, before the agent starts
  // Run the agent inside a "node" network namespace of its own (nsenter --net, so its mounts
  // stay visible to containerd), with the service proxy on. Without it the agent runs in the
  // host's netns with --no-network --no-proxy and touches no link, route or iptables rule.
  bool node_netns = false;
  // Use this existing netns (made by the test, e.g. with an underlay to another node) as the
  // node netns instead of making one; implies node_netns. The test deletes it.
  std::string existing_netns;
  // Pod networking on (bridge, veths, IPAM): pass --pod-cidr etc. in extra_flags. Needs a node netns.
  bool network = false;
  // Appended to the node name ("node-<pid><suffix>"), for several agents in one test.
  std::string node_suffix;
};

class AgentHarness {
 public:
  explicit AgentHarness(AgentOptions options = {});
  ~AgentHarness();

  // `extra_env` ("NAME=value") is added to the agent's environment (e.g. NODEAGENT_FAILPOINTS).
  void start_agent(const std::vector<std::string>& extra_env = {});
  void kill_agent(int signal);   // SIGKILL: as if it crashed
  // Waits for the agent to exit by itself (a failpoint); the signal that ended it, 0 if it
  // exited normally, -1 if it still ran after `timeout`.
  int wait_agent_exit(std::chrono::milliseconds timeout);
  int agent_pid() const { return pid_; }

  void write_manifest(const std::string& file, const std::string& yaml) const;
  void remove_manifest(const std::string& file) const;

  CommandResult nodectl(const std::string& args) const;
  // v1 Pod JSON of the pod named "<name>-<node>" (static pod naming), null when absent.
  nlohmann::json pod(const std::string& name) const;
  nlohmann::json pods() const;
  // Polls `pred` every 100 ms for up to `timeout`; returns whether it became true.
  static bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

  // Task pid of a container of a pod (via containerd), 0 if not running.
  int container_pid(const std::string& pod_name, const std::string& container) const;

  const std::string& node() const { return node_; }
  const std::string& netns() const { return netns_; }  // "" unless node_netns
  const std::string& root_dir() const { return root_; }
  const std::string& log_dir() const { return logs_; }
  const std::string& manifest_dir() const { return manifests_; }
  const ContainerdNamespace& ns() const { return *ns_; }
  std::string agent_log() const;

 private:
  void cleanup();
  void cleanup_after_failed_start();
  void remove_test_state();

  AgentOptions options_;
  std::unique_ptr<ContainerdNamespace> ns_;
  std::string dir_, root_, logs_, manifests_, socket_, node_, netns_;
  int pid_ = -1;
};

// Two "node" namespaces joined by a veth pair (u1 192.168.77.1/24 in n1, u2 192.168.77.2/24 in
// n2), each node's default route via the other, and nothing else, so no packet can leave the
// machine. Deleted, with everything in them
// (bridges, veths, iptables rules), on scope exit: declare it before the harnesses using it.
class NodeUnderlay {
 public:
  NodeUnderlay();
  ~NodeUnderlay();
  const std::string& n1() const { return n1_; }
  const std::string& n2() const { return n2_; }

 private:
  std::string n1_, n2_;
};

// Options of an agent with pod networking in an existing node netns, cluster CIDR 10.244.0.0/16
// and cluster DNS 10.96.0.10; `flags` adds --pod-cidr, --node-ip, --node-routes...
AgentOptions networked_node(const std::string& netns, const std::string& suffix, std::vector<std::string> flags);

// GET http://ip:port/index.html with curl from inside a netns; "" on failure.
std::string curl_in_netns(const std::string& netns, const std::string& ip, int port);

// YAML of a pod with the given containers section (already indented under `spec:`).
std::string pod_yaml(const std::string& name, const std::string& spec_body);
// A pod labelled app=web whose busybox httpd serves its host name at :8080/index.html (container
// port "http"), with that port also on the node's `host_port` when it is not 0.
std::string web_pod_yaml(const std::string& name, int host_port = 0);
// A pod that sleeps and exits on SIGTERM.
std::string sleeper_pod_yaml(const std::string& name);

}  // namespace nodeagent::testing
