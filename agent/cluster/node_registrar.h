// NodeStatusReporter: registers this node with the API server and keeps its status current, as
// kubelet's kubelet_node_status.go does.
//
//   register_node()   POST /api/v1/nodes with node_for_registration(). AlreadyExists: GET the
//                     Node and reconcile it as kubelet does (default labels, the attach/detach
//                     annotation; everything else is kept). 401/403: an error naming the
//                     identity (the kubeconfig's user and the API server's words).
//   sync_status()     one status round: compute node_status() over the last Node seen, PATCH
//                     nodes/<name>/status (strategic merge) only if something other than the
//                     heartbeat times changed or report_frequency passed since the last PATCH;
//                     on any failure re-read the Node (GET) and try again, up to 5 times
//                     (nodeStatusUpdateRetry); 409 included, 401/403 end the round at once.
//   start()/stop()    a thread: register (retrying 100 ms doubling to 7 s, as kubelet), then
//                     sync_status() every update_frequency. A watch on this node's own object
//                     (fieldSelector=metadata.name=<node>, which the Node authorizer allows)
//                     keeps "the last Node seen" fresh and delivers spec.podCIDR as soon as the
//                     controller-manager allocates it.
//
// Timeline (defaults): t=0 register; t≈0 first status; then every 10 s a status is computed
// and PATCHed only on change; at the latest 5 min after the last PATCH one is sent anyway.
// The Lease (node_lease.h) is the heartbeat the node lifecycle controller watches.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/cluster/cluster_context.h"
#include "agent/cluster/node_object.h"
#include "kube/client/reflector.h"
#include "runtime/types.h"

namespace nodeagent::cluster {

struct NodeStatusOptions {
  std::chrono::milliseconds update_frequency{10'000};  // --node-status-update-frequency
  std::chrono::milliseconds report_frequency{300'000}; // nodeStatusReportFrequency
  int update_retries = 5;                              // nodeStatusUpdateRetry
  // Registration back-off (kubelet: 100 ms doubling, at most 7 s).
  std::chrono::milliseconds register_initial_backoff{100};
  std::chrono::milliseconds register_max_backoff{7'000};
  // --register-node=false: never create the Node, only report the status of one that exists
  // (kubelet's syncNodeStatus does the same).
  bool register_node = true;
  bool watch_own_node = true;  // false: no watch (unit tests); the Node is then read on failures only
  size_t max_images = 50;      // --node-status-max-images
};

class NodeStatusReporter {
 public:
  // Called on the reporter's thread before each status round.
  using HealthFn = std::function<NodeHealth()>;
  // The image service's list (runtime::ImageService::list_images); an error keeps the last list.
  using ImagesFn = std::function<Result<std::vector<runtime::ImageInfo>>()>;
  // Condition changes and reboots, for the event recorder (involvedObject: the Node).
  using EventFn = std::function<void(const NodeEvent&)>;

  NodeStatusReporter(ClusterContext context, NodeFacts facts, HealthFn health, ImagesFn images,
                     NodeStatusOptions options = {}, EventFn on_event = nullptr);
  ~NodeStatusReporter();
  NodeStatusReporter(const NodeStatusReporter&) = delete;
  NodeStatusReporter& operator=(const NodeStatusReporter&) = delete;

  // One registration attempt.
  Status register_node();
  bool registered() const { return registered_.load(); }

  // One status round (see above). Not thread-safe against itself: the thread calls it, or a
  // test does, not both.
  Status sync_status();

  // The thread (registration, then status rounds) and the own-node watch. stop() is idempotent.
  void start();
  void stop();

  // The Node as last read or written (null before registration).
  nlohmann::json node() const;
  std::string node_uid() const;

  // spec.podCIDR (podCIDRs[0]) once allocated.
  std::optional<std::string> pod_cidr() const;
  // Waits until spec.podCIDR is set, `timeout` at most (kDeadlineExceeded). Without the watch it
  // reads the Node every second while waiting.
  Result<std::string> wait_for_pod_cidr(std::chrono::milliseconds timeout);

  // A newer copy of this node (e.g. from another watch): remembered for the next round.
  void observe_node(const nlohmann::json& node);

 private:
  void run();
  bool sleep_for(std::chrono::milliseconds d);  // false when stopping
  Status refresh_node();                         // GET
  void remember(const nlohmann::json& node);
  NodeFacts current_facts();
  Error identity_error(const Error& e, const std::string& what) const;

  ClusterContext context_;
  NodeFacts facts_;
  HealthFn health_;
  ImagesFn images_;
  NodeStatusOptions options_;
  EventFn on_event_;
  std::vector<NodeImage> last_images_;
  std::optional<Clock::TimePoint> last_report_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  nlohmann::json node_;  // guarded by mu_
  std::atomic<bool> registered_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::unique_ptr<kube::client::Reflector> own_node_watch_;
};

// The pod CIDR in a Node: spec.podCIDRs' first IPv4 entry, else spec.podCIDR; "" when none.
std::string node_pod_cidr(const nlohmann::json& node);

}  // namespace nodeagent::cluster
