// The pod lifecycle event generator (kubelet's pleg/generic.go plus its sync-frequency resync):
// it decides which pod workers to wake, and when.
//
//   containerd event (exit, OOM, start) ──► queue ──► loop: container_status(id) → wake(pod uid)
//   every relist_period:  list the node's containers, compare each one's state with the last
//                         relist, wake the pods whose containers changed (the safety net for an
//                         event lost in a stream reconnect)
//   every resync_period:  wake every pod (--sync-frequency)
//
// One thread; the event stream's callback only queues (the status lookup is a gRPC call). A
// failed lookup or relist is retried at the next round and never stops the loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "runtime/runtime.h"

namespace nodeagent::pleg {

// What the PLEG wakes: the pod workers (pods::PodWorkers).
class PodWaker {
 public:
  virtual ~PodWaker() = default;
  virtual void wake(const std::string& pod_uid) = 0;
  virtual void wake_all() = 0;
};

struct PlegOptions {
  runtime::Labels selector;                              // this node's containers
  std::string pod_uid_label;                             // the label holding a container's pod uid
  std::chrono::milliseconds relist_period{std::chrono::seconds(5)};
  std::chrono::milliseconds resync_period{std::chrono::seconds(60)};
};

// A container as the relist compares it: what changes when something happened to it.
struct ContainerRecord {
  std::string pod_uid;
  runtime::ContainerStateKind state = runtime::ContainerStateKind::kUnknown;
  uint32_t pid = 0;
  bool operator==(const ContainerRecord&) const = default;
};
using Relist = std::map<std::string, ContainerRecord>;  // container id -> record

// The pods with a container that appeared, went away or changed state between two relists.
// Pure.
std::set<std::string> changed_pods(const Relist& before, const Relist& after);

class Pleg {
 public:
  Pleg(runtime::ContainerService& containers, PodWaker& waker, PlegOptions options);
  ~Pleg();

  // Starts the loop thread; the first relist is the baseline (it wakes nothing).
  void start();
  void stop();  // idempotent

  // The event stream's handler: queues the container for the loop.
  void on_container_event(const std::string& container_id);

  // One round of each job, for the loop and for tests.
  void process_events();
  Status relist();

 private:
  void loop();

  runtime::ContainerService& containers_;
  PodWaker& waker_;
  const PlegOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;

  std::mutex relist_mu_;  // relist() from the loop or a test
  std::optional<std::chrono::steady_clock::time_point> last_relist_start_;  // kubelet_pleg_relist_interval_seconds
  Relist last_;
  bool have_baseline_ = false;
};

}  // namespace nodeagent::pleg
