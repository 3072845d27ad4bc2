#include "agent/cluster/pod_status_uploader.h"

#include "kube/encode.h"
#include "util/log.h"

namespace nodeagent::cluster {

PodStatusUploader::PodStatusUploader(ClusterContext context, status::StatusManager& statuses, LookupFn lookup,
                                     std::chrono::milliseconds catch_up_period)
    : context_(std::move(context)), statuses_(statuses), lookup_(std::move(lookup)), catch_up_period_(catch_up_period) {}

PodStatusUploader::~PodStatusUploader() { stop(); }

nlohmann::json PodStatusUploader::status_patch(const std::string& uid, const kube::PodStatus& status) {
  return {{"metadata", {{"uid", uid}}}, {"status", kube::encode(status)}};
}

void PodStatusUploader::start() {
  if (thread_.joinable()) return;
  listener_ = statuses_.add_listener([this](const std::vector<std::string>& uids) {
    {
      std::lock_guard lock(mu_);
      pending_.insert(uids.begin(), uids.end());
    }
    cv_.notify_one();
  });
  // Whatever the status manager loaded from disk may be ahead of the API server.
  {
    std::lock_guard lock(mu_);
    for (const auto& [uid, version] : statuses_.versions()) pending_.insert(uid);
  }
  thread_ = std::thread([this] { loop(); });
}

void PodStatusUploader::stop() {
  if (listener_) statuses_.remove_listener(listener_);
  listener_ = 0;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t PodStatusUploader::patches() const {
  std::lock_guard lock(mu_);
  return patches_;
}

void PodStatusUploader::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      if (!cv_.wait_for(lock, catch_up_period_, [this] { return stopping_ || !pending_.empty(); })) {
        // Catch-up tick: statuses whose upload failed or never happened.
        auto versions = statuses_.versions();
        for (const auto& [uid, version] : versions) {
          auto it = uploaded_.find(uid);
          if (it == uploaded_.end() || it->second != version) pending_.insert(uid);
        }
        for (auto it = uploaded_.begin(); it != uploaded_.end();)
          it = versions.count(it->first) ? std::next(it) : uploaded_.erase(it);
      }
      continue;
    }
    lock.unlock();
    flush();
    lock.lock();
  }
}

void PodStatusUploader::flush() {
  std::set<std::string> work;
  {
    std::lock_guard lock(mu_);
    work.swap(pending_);
  }
  for (const auto& uid : work) upload(uid);
}

void PodStatusUploader::upload(const std::string& uid) {
  auto pod = lookup_(uid);
  if (!pod) return;
  auto versioned = statuses_.get_versioned(uid);
  if (!versioned) return;
  {
    std::lock_guard lock(mu_);
    if (auto it = uploaded_.find(uid); it != uploaded_.end() && it->second == versioned->version) return;
  }
  const auto& meta = (*pod)->metadata;
  // The object's own uid: a static pod's status goes to its mirror pod, whose uid differs.
  auto done = context_.client->patch(namespaced_path(meta.namespace_, "pods", meta.name, "status"),
                                     status_patch(meta.uid, versioned->status), kube::client::PatchType::kStrategicMerge);
  std::lock_guard lock(mu_);
  if (done.ok()) {
    uploaded_[uid] = versioned->version;
    ++patches_;
    return;
  }
  auto code = done.error().code;
  if (code == ErrorCode::kNotFound || code == ErrorCode::kConflict || code == ErrorCode::kInvalid) {
    // Gone, replaced by a new pod of that name, or a status the API server refuses (e.g. a
    // terminal phase going back): sending it again cannot help.
    uploaded_[uid] = versioned->version;
    log::get("cluster")->warn("pod {}/{}: status not written: {}", meta.namespace_, meta.name, done.error().message);
    return;
  }
  log::get("cluster")->debug("pod {}/{}: status upload deferred: {}", meta.namespace_, meta.name, done.error().message);
}

}  // namespace nodeagent::cluster
