// Pod workers, after kubelet's pod_workers.go, minus its size.
//
// Every pod UID has one worker; at most one sync of a pod runs at a time, on a fixed pool of
// threads (no thread per pod). Each worker has a one-slot mailbox: an update that arrives while a
// sync runs replaces any update still pending ("latest wins"), and runs when the current sync ends.
//
// Lifecycle of a UID, as a timeline:
//
//   update(pod) ──► Syncing ── sync_pod() … repeated on updates, wakes, timers ──┐
//                                                                                 │ kill(uid)
//                                                   Terminating ◄─────────────────┘
//                                                   terminate_pod(): signal, return; again on a
//                                                     wake or its retry timer until all stopped
//                                                   cleanup_pod(): network, sandbox, cgroups
//                                                   ──► forgotten (no worker, no state)
//
// If an update for the same UID arrives while it is Terminating (a static pod whose identical file
// was removed and added back), the pod starts Syncing again after termination has completed, so
// old and new containers never overlap.
//
// Timers: a sync may ask to run again after a delay (back-off expiry) through schedule(), on one
// timer thread; the periodic resync of every pod is the PLEG's (agent/pleg, --sync-frequency).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::pods {

using PodPtr = std::shared_ptr<const kube::Pod>;

struct SyncResult {
  // Run this pod's sync again after this delay (e.g. when a back-off expires).
  std::optional<std::chrono::milliseconds> requeue_after;
};

// What one terminate_pod call achieved. Stopping does not hold a worker for a grace period:
// a call signals and returns, and the worker calls again after `retry_after`, or sooner when the
// PLEG wakes the pod because a container exited.
struct TerminateProgress {
  bool done = true;  // every container has stopped
  std::chrono::milliseconds retry_after{0};
};

// The steps a worker runs; implemented by PodSyncer (the real runtime) and by fakes in tests.
class PodSyncHandler {
 public:
  virtual ~PodSyncHandler() = default;
  virtual SyncResult sync_pod(const PodPtr& pod) = 0;
  // Moves the stop of the pod's containers on (grace period honoured); called until it reports
  // done. An error is retried.
  virtual Result<TerminateProgress> terminate_pod(const PodPtr& pod) = 0;
  // Releases what the pod held on the node (network, sandbox, cgroups, volumes).
  virtual Status cleanup_pod(const PodPtr& pod) = 0;
};

// A terminated pod is forgotten at once (the pod manager has dropped it already), so there is no
// Terminated state to query: state() is empty then.
enum class WorkerState { kSyncing, kTerminating };

class PodWorkers {
 public:
  PodWorkers(PodSyncHandler& handler, int threads);
  ~PodWorkers();
  PodWorkers(const PodWorkers&) = delete;
  PodWorkers& operator=(const PodWorkers&) = delete;

  // The desired pod (new or changed): sync it.
  void update(const PodPtr& pod);
  // The pod is no longer desired: terminate it, clean up, forget it.
  void kill(const std::string& uid);
  // A pod found running that is not desired (an orphan after a restart): terminate it, clean
  // up, forget it, without syncing it first. Ignored if the UID has a worker.
  void terminate(const PodPtr& pod);
  // Something changed in the runtime (a container exited): sync the pod again, or move its
  // termination on, if known.
  void wake(const std::string& uid);
  // wake(uid) after `delay`.
  void schedule(const std::string& uid, std::chrono::milliseconds delay);
  void wake_all();
  // Called (on a pool thread) when a pod has been terminated and cleaned up and is forgotten.
  void set_on_terminated(std::function<void(const std::string& uid)> fn);

  std::optional<WorkerState> state(const std::string& uid) const;
  std::vector<std::string> uids() const;
  // Blocks until no work is pending or running (tests, shutdown).
  void wait_idle();
  // Stops the pool and the timer; pending work is dropped. Idempotent.
  void stop();

 private:
  enum class Work { kNone, kSync, kTerminate };
  struct Worker {
    PodPtr pod;                 // the newest desired version
    WorkerState state = WorkerState::kSyncing;
    Work pending = Work::kNone;
    bool running = false;
    PodPtr restart_with;        // update received while terminating
  };

  void enqueue_locked(const std::string& uid, Work work);
  void run_thread();
  void timer_thread();
  void run_one(const std::string& uid, Work work, const PodPtr& pod);
  // After terminate+cleanup: retry on failure, restart on a pending update, else forget.
  // Returns true when the pod is gone for good.
  bool finish_termination_locked(const std::string& uid, const Status& st);

  PodSyncHandler& handler_;
  std::function<void(const std::string&)> on_terminated_;
  mutable std::mutex mu_;
  std::set<std::string> synced_once_;  // uids synced at least once (the metric's create vs sync)
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::map<std::string, Worker> workers_;
  std::deque<std::string> ready_;   // uids with pending work and no sync running
  int running_ = 0;
  bool stopping_ = false;

  using Timer = std::pair<std::chrono::steady_clock::time_point, std::string>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::condition_variable timer_cv_;

  std::vector<std::thread> threads_;
  std::thread timer_;
};

}  // namespace nodeagent::pods
