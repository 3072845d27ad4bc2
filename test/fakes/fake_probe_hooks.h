// Fakes of the probe and lifecycle-hook ports (agent/pods/ports.h): results a test sets, hook
// calls recorded in the shared call log, errors injected per call.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/pods/ports.h"
#include "test/fakes/call_log.h"

namespace nodeagent::fakes {

class FakeProbes final : public pods::ProbePort {
 public:
  CallLog* log = nullptr;

  void set_results(const std::string& uid, pods::ProbeResults results) {
    std::lock_guard lock(mu_);
    results_[uid] = std::move(results);
  }
  void sync(const kube::Pod& pod, const pods::PodRuntimeState&) override {
    if (log) log->add("probes.sync " + pod.metadata.uid);
  }
  pods::ProbeResults results(const std::string& uid) override {
    std::lock_guard lock(mu_);
    auto it = results_.find(uid);
    return it == results_.end() ? pods::ProbeResults{} : it->second;
  }
  void remove(const std::string& uid) override {
    if (log) log->add("probes.remove " + uid);
    std::lock_guard lock(mu_);
    results_.erase(uid);
  }

 private:
  std::mutex mu_;
  std::map<std::string, pods::ProbeResults> results_;
};

class FakeHooks final : public pods::LifecycleHookPort {
 public:
  CallLog* log = nullptr;
  Faults faults{{"post_start", "pre_stop"}};
  std::chrono::seconds last_pre_stop_grace{0};
  // Real time each preStop hook takes, and the most that ran at once (the syncer runs a pod's
  // preStop hooks side by side).
  std::chrono::milliseconds pre_stop_takes{0};
  std::atomic<int> pre_stops_running{0};
  std::atomic<int> max_pre_stops_running{0};

  Status post_start(const kube::Pod&, const kube::Container& c, const std::string&) override {
    if (log) log->add("hooks.post_start " + c.name);
    if (auto e = faults.take("post_start")) return *e;
    return ok_status();
  }
  Status pre_stop(const kube::Pod&, const kube::Container& c, const std::string&, std::chrono::seconds grace) override {
    if (log) log->add("hooks.pre_stop " + c.name);
    last_pre_stop_grace = grace;
    const int now_running = ++pre_stops_running;
    for (int seen = max_pre_stops_running; now_running > seen && !max_pre_stops_running.compare_exchange_weak(seen, now_running);) {
    }
    if (pre_stop_takes.count() > 0) std::this_thread::sleep_for(pre_stop_takes);
    --pre_stops_running;
    if (auto e = faults.take("pre_stop")) return *e;
    return ok_status();
  }
};

}  // namespace nodeagent::fakes
