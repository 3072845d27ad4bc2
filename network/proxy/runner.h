// The proxier's loop, after kube-proxy's BoundedFrequencyRunner: changes from the tracker wake
// it; syncs happen at most once per min_sync_period and at least once per sync_period (which
// also checks the canary chain); a failed sync is retried after min_sync_period as a full sync,
// and at least once per full_sync_period a sync is full anyway (as kube-proxy does hourly): it
// re-reads the tables from the kernel, so that a foreign edit the table cache could not notice
// (KernelIptables) is seen within that period.
// Restarting the agent builds a new Runner: its first sync is full and replaces the kernel's
// rules in place, so established and new connections see no gap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/conntrack.h"

namespace nodeagent::network::proxy {

struct RunnerConfig {
  std::chrono::milliseconds min_sync_period{1000};
  std::chrono::milliseconds sync_period{30000};
  std::chrono::milliseconds full_sync_period{3600000};
  // Runs first on the runner's thread (tests use it to enter a node's network namespace).
  std::function<void()> thread_init;
  // After every sync attempt, on the runner's thread: the state it programmed and whether it
  // succeeded (kube-proxy's health server and healthCheckNodePorts follow it).
  std::function<void(const ProxyState&, bool ok)> on_synced;
};

struct RunnerStatus {
  uint64_t syncs = 0;
  uint64_t failures = 0;
  uint64_t synced_generation = 0;  // ChangeTracker generation of the last successful sync
  std::string last_error;
  ApplyStats last;
};

class Runner {
 public:
  // `conntrack` may be null (no UDP cleanup).
  Runner(ChangeTracker& tracker, Applier& applier, Conntrack* conntrack, RunnerConfig config);
  ~Runner();

  void start();
  void stop();  // idempotent; waits for an in-flight sync
  void request_sync();
  // Blocks until a sync covering the tracker's current generation succeeded, or timeout.
  bool wait_synced(std::chrono::milliseconds timeout);
  RunnerStatus status() const;

 private:
  void loop();
  void sync_once(bool periodic);

  ChangeTracker& tracker_;
  Applier& applier_;
  Conntrack* conntrack_;
  RunnerConfig config_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool pending_ = true;     // first sync happens at once
  bool full_next_ = true;   // first sync after start is full
  std::chrono::steady_clock::time_point last_full_sync_{};
  RunnerStatus status_;
  ProxyState last_state_;
  std::optional<std::chrono::steady_clock::time_point> first_pending_;  // oldest change not programmed yet
  std::thread thread_;
};

}  // namespace nodeagent::network::proxy
