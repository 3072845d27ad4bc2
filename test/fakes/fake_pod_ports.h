// In-memory fakes of the pod syncer's ports (agent/pods/ports.h) for its unit tests: pod network,
// pod cgroups, pod status and events. Each appends its calls to the shared CallLog and lets a
// test inject errors for the next call(s).
//
// The network fake is FakePodNetworkPort, not FakePodNetwork: that name is taken by the fake of
// network::PodNetwork (fake_pod_network.h), the module behind this port.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/pods/ports.h"
#include "test/fakes/call_log.h"

namespace nodeagent::fakes {

// Hands out 10.244.0.x per pod uid (kept until teardown); host-network pods get the node's IP.
class FakePodNetworkPort : public pods::PodNetworkPort {
 public:
  std::string node_ip = "192.168.50.1";

  Result<pods::PodNetworkInfo> setup(const kube::Pod& pod, const runtime::SandboxInfo& sandbox) override {
    std::lock_guard lock(mu_);
    if (log) log->add("network.setup " + pod.metadata.uid);
    setup_sandboxes.push_back(sandbox);
    if (auto e = faults.take("setup")) return *e;
    if (pod.spec.host_network) return pods::PodNetworkInfo{{node_ip}, node_ip};
    auto& info = set_up_[pod.metadata.uid];
    if (info.pod_ips.empty()) info = {{"10.244.0." + std::to_string(next_host_++)}, node_ip};
    return info;
  }
  Result<pods::PodNetworkInfo> status(const kube::Pod& pod) override {
    std::lock_guard lock(mu_);
    if (log) log->add("network.status " + pod.metadata.uid);
    if (auto e = faults.take("status")) return *e;
    auto it = set_up_.find(pod.metadata.uid);
    if (it == set_up_.end()) return not_found("pod " + pod.metadata.uid + " has no network");
    return it->second;
  }
  Status teardown(const std::string& pod_uid, const runtime::SandboxInfo& sandbox) override {
    std::lock_guard lock(mu_);
    if (log) log->add("network.teardown " + pod_uid);
    teardown_sandboxes.push_back(sandbox);
    if (auto e = faults.take("teardown")) return *e;
    set_up_.erase(pod_uid);
    return ok_status();
  }

  bool has(const std::string& pod_uid) const {
    std::lock_guard lock(mu_);
    return set_up_.count(pod_uid) > 0;
  }

  std::vector<runtime::SandboxInfo> setup_sandboxes;     // what setup() was given, in order
  std::vector<runtime::SandboxInfo> teardown_sandboxes;  // what teardown() was given
  Faults faults{{"setup", "status", "teardown"}};
  CallLog* log = nullptr;

 private:
  mutable std::mutex mu_;
  std::map<std::string, pods::PodNetworkInfo> set_up_;
  int next_host_ = 2;
};

// The parent is where the real module puts a BestEffort pod: kubepods/besteffort/pod<uid>.
class FakePodCgroups : public pods::PodCgroupPort {
 public:
  Status ensure(const kube::Pod& pod) override {
    std::lock_guard lock(mu_);
    if (log) log->add("cgroup.ensure " + pod.metadata.uid);
    if (auto e = faults.take("ensure")) return *e;
    return ok_status();
  }
  std::string container_cgroups_path(const kube::Pod& pod, const std::string& container_id) override {
    return parent_of(pod.metadata.uid) + "/" + container_id;
  }
  Status remove(const kube::Pod& pod) override {
    std::lock_guard lock(mu_);
    if (log) log->add("cgroup.remove " + pod.metadata.uid);
    if (auto e = faults.take("remove")) return *e;
    return ok_status();
  }

  static std::string parent_of(const std::string& uid) { return "/kubepods/besteffort/pod" + uid; }

  Faults faults{{"ensure", "remove"}};
  CallLog* log = nullptr;

 private:
  std::mutex mu_;
};

// Keeps the last PodRuntimeState published per uid; current() gives what a test set.
class FakePodStatus : public pods::PodStatusPort {
 public:
  void update(const kube::Pod& pod, const pods::PodRuntimeState& state) override {
    std::lock_guard lock(mu_);
    if (log) log->add("status.update " + pod.metadata.uid);
    last_[pod.metadata.uid] = state;
    ++updates_;
  }
  std::optional<kube::PodStatus> current(const std::string& uid) override {
    std::lock_guard lock(mu_);
    auto it = current_.find(uid);
    if (it == current_.end()) return std::nullopt;
    return it->second;
  }
  void remove(const std::string& uid) override {
    std::lock_guard lock(mu_);
    if (log) log->add("status.remove " + uid);
    last_.erase(uid);
    current_.erase(uid);
  }

  // The state last published for `uid`, nullopt if none (or removed).
  std::optional<pods::PodRuntimeState> last(const std::string& uid) const {
    std::lock_guard lock(mu_);
    auto it = last_.find(uid);
    if (it == last_.end()) return std::nullopt;
    return it->second;
  }
  void set_current(const std::string& uid, kube::PodStatus status) {
    std::lock_guard lock(mu_);
    current_[uid] = std::move(status);
  }
  int updates() const {
    std::lock_guard lock(mu_);
    return updates_;
  }

  CallLog* log = nullptr;

 private:
  mutable std::mutex mu_;
  std::map<std::string, pods::PodRuntimeState> last_;
  std::map<std::string, kube::PodStatus> current_;
  int updates_ = 0;
};

class FakeEvents : public pods::EventPort {
 public:
  struct Event {
    std::string pod_uid, type, reason, message;
  };

  void record(const kube::Pod& pod, const std::string& type, const std::string& reason,
              const std::string& message) override {
    std::lock_guard lock(mu_);
    if (log) log->add("event " + reason);
    events_.push_back({pod.metadata.uid, type, reason, message});
  }

  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> reasons() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events_) out.push_back(e.reason);
    return out;
  }
  // The first event with `reason`, nullopt if none.
  std::optional<Event> find(const std::string& reason) const {
    std::lock_guard lock(mu_);
    for (const auto& e : events_)
      if (e.reason == reason) return e;
    return std::nullopt;
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

  CallLog* log = nullptr;

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

}  // namespace nodeagent::fakes
