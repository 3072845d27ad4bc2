// Pod sandboxes: the namespaces every container of a pod shares. Instead of a pause container,
// the agent creates the namespaces itself and keeps them alive with bind mounts under
// <root-dir>/pods/<uid>/ns/{net,ipc,uts}; containers join them by path. A shared pid namespace
// needs a live init, so for shareProcessNamespace a tiny holder process (`nodeagent pause`)
// runs as pid 1 of it, detached from the agent so that agent restarts do not touch it.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::runtime {

struct SandboxConfig {
  std::string pod_uid;
  std::string hostname;         // UTS hostname (pod name cut to 63 chars, or spec.hostname)
  bool host_network = false;    // no net namespace: containers use the node's
  bool host_ipc = false;
  bool host_pid = false;
  bool share_process_namespace = false;
};

struct SandboxInfo {
  std::string dir;              // <root-dir>/pods/<uid>/ns
  std::string netns_path;       // "" for host network
  std::string ipcns_path;       // "" for host ipc
  std::string utsns_path;       // "" for host network (kubelet: hostNetwork implies host UTS)
  std::string pidns_path;       // "" unless share_process_namespace
  int holder_pid = 0;           // pid of the pid-namespace holder, 0 if none
};

class SandboxManager {
 public:
  virtual ~SandboxManager() = default;
  // Idempotent: returns the existing sandbox when its namespaces are still mounted.
  virtual Result<SandboxInfo> ensure_sandbox(const SandboxConfig& config) = 0;
  // Unmounts and removes the namespaces (and stops the pid holder). No error if absent.
  virtual Status remove_sandbox(const std::string& pod_uid) = 0;
  // The sandbox as found on disk, NotFound if none (used when adopting after a restart).
  virtual Result<SandboxInfo> find_sandbox(const std::string& pod_uid) = 0;
};

}  // namespace nodeagent::runtime
