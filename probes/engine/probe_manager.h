// The probe engine's bookkeeping, without threads or I/O: which probes exist (one per pod,
// container and kind, for the running instance of that container), when each runs next, and
// what their runs concluded. The prober's loop (probes/prober/) asks it for the runs that are
// due, hands them to the handlers, and reports their results back; the pod workers read the
// results. Not thread-safe: the prober holds one lock around it. Unit-tested with a manual clock.
//
// A probe's timeline (kubelet's prober worker):
//   container started ──initialDelaySeconds──► run ──periodSeconds──► run ──► ...
//   - liveness and readiness runs are skipped while the container's startup probe has not
//     succeeded; readiness runs at once when it does;
//   - a startup probe stops once it has succeeded;
//   - a liveness/startup probe that fails failureThreshold times asks for a kill and is quiet
//     until a new instance of the container (a new containerd id) gets a fresh probe;
//   - a container that was already running when the engine started (an agent restart) has its
//     first run jittered over its period, so that 1,000 probes do not all fire at once, and keeps
//     the readiness/startup results persisted for that very instance.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "probes/engine/probe_snapshot.h"
#include "probes/engine/probe_state.h"
#include "probes/engine/probe_types.h"
#include "probes/engine/result_store.h"
#include "util/clock.h"

namespace nodeagent::probes {

class ProbeManager {
 public:
  struct Options {
    // A random delay in [0, period) for the first run after an agent restart; the tests pass a
    // fixed one.
    std::function<std::chrono::milliseconds(std::chrono::milliseconds period)> jitter;
    ResultStore* store = nullptr;  // nullptr: nothing survives a restart
  };
  // What a change asks of the rest of the agent, done outside the engine's lock.
  struct Event {
    std::shared_ptr<const kube::Pod> pod;
    std::string container;
    std::string type;    // Warning
    std::string reason;  // Unhealthy | ProbeWarning
    std::string message;
  };
  struct Effects {
    std::vector<Event> events;
    std::vector<std::string> wake;  // pod uids whose results changed: sync them now
    std::vector<std::pair<std::string, PersistedPod>> save;
  };

  ProbeManager(const Clock& clock, Options options);

  // Adds, updates and removes the pod's probes to match its spec and running instances.
  void update_pod(const PodInput& input);
  // Returns the pod's netns path ("" if it was unknown), whose open file the caller drops.
  std::string remove_pod(const std::string& uid);

  // Runs due at `now` (each probe has at most one in flight), and when the next one is due.
  std::vector<ProbeRun> take_due(Clock::TimePoint now);
  std::optional<Clock::TimePoint> next_due() const;
  // A run's result; unknown run ids (the probe went away meanwhile) are ignored.
  Effects complete(uint64_t run_id, const RunResult& result, Clock::TimePoint now);

  PodResults results(const std::string& uid) const;
  std::vector<ProbeSnapshot> snapshot() const;
  size_t probe_count() const { return workers_.size(); }

 private:
  struct Worker {
    uint64_t id = 0;
    std::string uid;
    std::string container;
    ProbeKind kind = ProbeKind::kLiveness;
    kube::Probe spec;
    std::optional<ProbeTarget> target;
    std::string target_error;  // why the handler cannot be resolved (a run then fails with it)
    std::string handler;
    std::string container_id;
    ProbeState state{ProbeKind::kLiveness, kube::Probe{}};
    std::string last_message;
    std::optional<Clock::TimePoint> next_run;
    Clock::TimePoint run_started;
    uint64_t in_flight = 0;  // run id
    uint64_t timer_gen = 0;
  };
  struct PodEntry {
    std::shared_ptr<const kube::Pod> pod;
    std::string netns_path;
    std::map<std::pair<std::string, ProbeKind>, uint64_t> workers;  // (container, kind) -> id
    std::optional<PersistedPod> persisted;                           // as loaded at first sight
  };
  struct Timer {
    Clock::TimePoint at;
    uint64_t worker;
    uint64_t gen;
    bool operator>(const Timer& o) const { return at > o.at; }
  };

  void schedule(Worker& w, Clock::TimePoint at);
  void unschedule(Worker& w);
  Worker* startup_of(const PodEntry& pod, const std::string& container);
  PersistedPod persisted_of(const PodEntry& pod) const;
  void erase_worker(PodEntry& pod, std::map<std::pair<std::string, ProbeKind>, uint64_t>::iterator it);

  const Clock& clock_;
  Options options_;
  const Clock::TimePoint engine_start_;
  uint64_t next_worker_id_ = 1;
  uint64_t next_run_id_ = 1;
  std::map<std::string, PodEntry> pods_;
  std::map<uint64_t, Worker> workers_;
  std::map<uint64_t, uint64_t> runs_;  // run id -> worker id
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
};

}  // namespace nodeagent::probes
