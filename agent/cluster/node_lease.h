// NodeLease: the node's heartbeat, the coordination.k8s.io/v1 Lease kube-node-lease/<node>, as
// kubelet's lease controller (k8s.io/component-helpers/apimachinery/lease) keeps it:
//   spec.holderIdentity = the node name, spec.leaseDurationSeconds = 40,
//   spec.renewTime = now (MicroTime, "2026-12-02T13:00:00.123456Z"),
//   metadata.ownerReferences = [the Node (apiVersion v1, kind Node, name, uid)], so the Lease
//   goes with its Node; set once the Node exists.
//
// Each renewal (every renew_interval = 0.25 * 40 s = 10 s):
//   1. PUT the Lease last written with a new renewTime (no GET: the node is its only writer);
//   2. on failure (409: someone else wrote it) GET it, or create it if missing, and PUT again,
//      up to 5 PUTs per renewal;
//   3. while the API server cannot be reached, keep trying with a back-off of 100 ms doubling,
//      bounded by min(7 s, renew_interval), so the renewal that comes back is never late by
//      more than one interval.
// The node lifecycle controller marks the node unreachable 40 s after the last renewTime.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/cluster/cluster_context.h"
#include "kube/types.h"

namespace nodeagent::cluster {

struct NodeLeaseOptions {
  int lease_duration_seconds = 40;        // kubelet's nodeLeaseDurationSeconds
  double renew_fraction = 0.25;           // renew interval = fraction * duration (kubelet)
  int max_update_retries = 5;             // kubelet's maxUpdateRetries
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{7'000};
};

class NodeLease {
 public:
  explicit NodeLease(ClusterContext context, NodeLeaseOptions options = {});
  ~NodeLease();
  NodeLease(const NodeLease&) = delete;
  NodeLease& operator=(const NodeLease&) = delete;

  std::chrono::milliseconds renew_interval() const;

  // One renewal, steps 1-2 above (no back-off sleeps: each failure is returned).
  Status renew();

  // The renewal loop on a thread of its own (step 3 between failed attempts). stop() is
  // idempotent and interrupts a back-off at once.
  void start();
  void stop();

  // The Lease as last written (null before the first success).
  nlohmann::json lease() const;
  // When the last renewal succeeded (the renewTime written).
  std::optional<kube::Time> last_renewed() const;

  static std::string path(const std::string& node_name);  // /apis/coordination.k8s.io/v1/...

 private:
  struct Ensured {
    nlohmann::json lease;
    bool created = false;  // a Lease just created carries this renewal already
  };
  Result<Ensured> ensure();                               // GET, or create if missing
  nlohmann::json with_renew_time(nlohmann::json base);    // kubelet's newLease
  void set_owner(nlohmann::json& lease);
  void run();
  bool sleep_for(std::chrono::milliseconds d);

  ClusterContext context_;
  NodeLeaseOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  nlohmann::json latest_;  // guarded by mu_
  std::optional<kube::Time> last_renewed_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nodeagent::cluster
