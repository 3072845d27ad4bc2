// In-memory runtime::SandboxManager for the pod syncer's unit tests: sandboxes are entries in a
// map with made-up namespace paths (nothing is mounted), calls go to the shared CallLog, and
// ensure/remove/find can be made to fail.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/sandbox.h"
#include "test/fakes/call_log.h"

namespace nodeagent::fakes {

class FakeSandboxManager : public runtime::SandboxManager {
 public:
  Result<runtime::SandboxInfo> ensure_sandbox(const runtime::SandboxConfig& config) override {
    std::lock_guard lock(mu_);
    configs_.push_back(config);
    if (log) log->add("sandbox.ensure " + config.pod_uid);
    if (auto e = faults.take("ensure")) return *e;
    auto it = sandboxes_.find(config.pod_uid);
    if (it != sandboxes_.end()) return it->second;  // idempotent, as the real one
    return sandboxes_[config.pod_uid] = make(config);
  }
  Status remove_sandbox(const std::string& pod_uid) override {
    std::lock_guard lock(mu_);
    if (log) log->add("sandbox.remove " + pod_uid);
    if (auto e = faults.take("remove")) return *e;
    sandboxes_.erase(pod_uid);
    return ok_status();
  }
  Result<runtime::SandboxInfo> find_sandbox(const std::string& pod_uid) override {
    std::lock_guard lock(mu_);
    if (log) log->add("sandbox.find " + pod_uid);
    if (auto e = faults.take("find")) return *e;
    auto it = sandboxes_.find(pod_uid);
    if (it == sandboxes_.end()) return not_found("no sandbox for pod " + pod_uid);
    return it->second;
  }

  // The sandbox a previous agent run left behind (adoption tests).
  void add(const std::string& pod_uid, runtime::SandboxInfo info) {
    std::lock_guard lock(mu_);
    sandboxes_[pod_uid] = std::move(info);
  }
  bool has(const std::string& pod_uid) const {
    std::lock_guard lock(mu_);
    return sandboxes_.count(pod_uid) > 0;
  }
  std::vector<runtime::SandboxConfig> configs() const {
    std::lock_guard lock(mu_);
    return configs_;
  }

  // What the real manager would make: the namespaces the config does not take from the host.
  static runtime::SandboxInfo make(const runtime::SandboxConfig& c) {
    runtime::SandboxInfo info;
    info.dir = "/fake/pods/" + c.pod_uid + "/ns";
    if (!c.host_network) info.netns_path = info.dir + "/net";
    if (!c.host_ipc) info.ipcns_path = info.dir + "/ipc";
    if (!c.host_network) info.utsns_path = info.dir + "/uts";
    if (c.share_process_namespace) info.pidns_path = info.dir + "/pid";
    return info;
  }

  Faults faults{{"ensure", "remove", "find"}};
  CallLog* log = nullptr;

 private:
  mutable std::mutex mu_;
  std::map<std::string, runtime::SandboxInfo> sandboxes_;
  std::vector<runtime::SandboxConfig> configs_;
};

}  // namespace nodeagent::fakes
