#include "agent/daemon/cluster_join.h"

#include "kube/client/kubeconfig.h"
#include "util/http/curl_http_client.h"
#include "util/log.h"
#include "util/version.h"

namespace nodeagent::daemon {

Result<std::unique_ptr<ClusterJoin>> ClusterJoin::create(const config::AgentConfig& config, const std::string& node_name,
                                                         const Clock& clock) {
  NA_ASSIGN_OR_RETURN(auto client_config, kube::client::load_kubeconfig(config.kubeconfig, config.root_dir + "/kubeconfig-data"));
  std::unique_ptr<ClusterJoin> join(new ClusterJoin());
  join->http_ = std::make_shared<http::CurlHttpClient>();
  kube::client::ClientOptions options;
  options.qps = config.kube_api_qps;
  options.burst = config.kube_api_burst;
  options.user_agent = std::string("nodeagent/") + version() + " (linux)";
  join->client_ = std::make_unique<kube::client::ApiClient>(join->http_, std::move(client_config), options);
  join->context_ = cluster::ClusterContext{join->client_.get(), node_name, &clock};
  return join;
}

ClusterJoin::~ClusterJoin() { stop(); }

void ClusterJoin::start_pods(pods::PodManager& manager, status::StatusManager& statuses, events::Recorder& recorder,
                             std::function<void()> on_first_sync) {
  manager_ = &manager;
  mirrors_ = std::make_unique<cluster::MirrorPods>(context_);
  auto first = std::make_shared<std::once_flag>();
  pod_source_ = std::make_unique<cluster::ApiPodSource>(
      context_,
      [this, first, on_first_sync](const std::vector<cluster::PodPtr>& pods) {
        manager_->set_source_pods("api", pods);
        std::call_once(*first, [&] {
          if (on_first_sync) on_first_sync();
        });
      },
      [&recorder](const std::string& pod, const std::string& message) {
        log::get("cluster")->warn("pod {}: cannot run it: {}", pod, message);
        recorder.record_manifest("", pod, events::kWarning, "FailedToDecodePod", "pod " + pod + ": " + message);
      },
      [this](std::vector<cluster::MirrorPod> mirrors) {
        mirrors_->set_mirrors(std::move(mirrors));
        mirrors_changed_ = true;
      });
  manager.set_on_terminated([this](const pods::PodPtr& pod) { pod_source_->on_pod_terminated(*pod); });

  auto* source = pod_source_.get();
  uploader_ = std::make_unique<cluster::PodStatusUploader>(
      context_, statuses, [this, source, &manager](const std::string& uid) -> std::optional<cluster::PodPtr> {
        if (source->owns(uid)) return manager.pod_by_uid(uid);
        auto mirror = mirrors_->mirror_of(uid);
        if (!mirror) return std::nullopt;
        auto target = std::make_shared<kube::Pod>();
        target->metadata.namespace_ = mirror->namespace_;
        target->metadata.name = mirror->name;
        target->metadata.uid = mirror->uid;
        return target;
      });
  events_ = std::make_unique<cluster::EventSink>(context_);
  auto* sink = events_.get();
  recorder.add_listener([sink](const kube::Event& e) { sink->post(e); });

  events_->start();
  uploader_->start();
  pod_source_->start();
  housekeeping_ = std::thread([this] { housekeeping_loop(); });
}

std::vector<pods::PodPtr> ClusterJoin::static_pods() const {
  std::vector<pods::PodPtr> out;
  for (const auto& pod : manager_->pods()) {
    auto it = pod->metadata.annotations.find("kubernetes.io/config.source");
    if (it != pod->metadata.annotations.end() && it->second == "file" && !pod->metadata.deletion_timestamp)
      out.push_back(pod);
  }
  return out;
}

// Every 10 s (and soon after the mirror pods changed): mirror pods, and final DELETEs that failed.
void ClusterJoin::housekeeping_loop() {
  while (!stopping_) {
    for (int i = 0; i < 100 && !stopping_ && !mirrors_changed_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (stopping_) break;
    mirrors_changed_ = false;
    if (pod_source_->synced()) mirrors_->sync(static_pods());
    pod_source_->retry_pending_deletes();
  }
}

void ClusterJoin::stop() {
  stopping_ = true;
  if (housekeeping_.joinable()) housekeeping_.join();
  if (manager_) manager_->set_on_terminated(nullptr);
  manager_ = nullptr;
  if (pod_source_) pod_source_->stop();
  if (uploader_) uploader_->stop();
  if (events_) events_->stop();
}

}  // namespace nodeagent::daemon
