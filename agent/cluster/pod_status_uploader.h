// Writes the status manager's pod statuses to the API server, as kubelet's status manager
// does: a strategic merge patch of pods/<name>/status carrying metadata.uid (so that a new pod
// of the same name is never written to), only when the status changed (StatusManager versions
// say so), coalesced (five changes before the uploader got to a pod make one PATCH), and caught
// up after the API server was away: every 10 s the pods whose last uploaded version is behind
// are sent again.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "agent/cluster/cluster_context.h"
#include "agent/status/status_manager.h"
#include "kube/types.h"

namespace nodeagent::cluster {

class PodStatusUploader {
 public:
  // The API object a status of this uid goes to (nullopt: none, e.g. a static pod without a
  // mirror yet); for a static pod, its mirror pod (name and the mirror's uid).
  using LookupFn = std::function<std::optional<std::shared_ptr<const kube::Pod>>(const std::string& uid)>;

  PodStatusUploader(ClusterContext context, status::StatusManager& statuses, LookupFn lookup,
                    std::chrono::milliseconds catch_up_period = std::chrono::seconds(10));
  ~PodStatusUploader();

  void start();
  void stop();
  // Uploads what is pending now, on the caller's thread (tests).
  void flush();
  // How many PATCHes were sent and accepted (benchmarks, tests).
  uint64_t patches() const;

  // The patch for one status (pure; tests).
  static nlohmann::json status_patch(const std::string& uid, const kube::PodStatus& status);

 private:
  void loop();
  void upload(const std::string& uid);

  ClusterContext context_;
  status::StatusManager& statuses_;
  LookupFn lookup_;
  std::chrono::milliseconds catch_up_period_;
  status::StatusManager::ListenerId listener_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> pending_;
  std::map<std::string, uint64_t> uploaded_;  // uid -> status version the API server has
  uint64_t patches_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nodeagent::cluster
