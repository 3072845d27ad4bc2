// The agent's join to a control plane (--kubeconfig): the API client with the node's identity
// and every part that talks to the API server, built and started together and stopped in
// reverse. Without --kubeconfig there is none and the agent runs static pods only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "agent/cluster/api_pod_source.h"
#include "agent/cluster/event_sink.h"
#include "agent/cluster/mirror_pods.h"
#include "agent/cluster/pod_status_uploader.h"
#include "agent/config/config.h"
#include "agent/events/recorder.h"
#include "agent/pods/pod_manager.h"
#include "agent/status/status_manager.h"
#include "kube/client/api_client.h"
#include "util/http/http_client.h"

namespace nodeagent::daemon {

class ClusterJoin {
 public:
  // Loads the kubeconfig: a bad file is kInvalid naming the file and the field (exit 2).
  static Result<std::unique_ptr<ClusterJoin>> create(const config::AgentConfig& config, const std::string& node_name,
                                                     const Clock& clock);
  ~ClusterJoin();

  kube::client::ApiClient& client() { return *client_; }
  const cluster::ClusterContext& context() const { return context_; }

  // Starts the pod source (its pods go to `manager` as the "api" source; `on_first_sync` runs
  // once after the first list), the status upload and the event sink.
  void start_pods(pods::PodManager& manager, status::StatusManager& statuses, events::Recorder& recorder,
                  std::function<void()> on_first_sync);
  void stop();

 private:
  ClusterJoin() = default;
  void housekeeping_loop();
  std::vector<pods::PodPtr> static_pods() const;

  std::shared_ptr<http::HttpClient> http_;
  std::unique_ptr<kube::client::ApiClient> client_;
  cluster::ClusterContext context_;
  pods::PodManager* manager_ = nullptr;
  std::unique_ptr<cluster::ApiPodSource> pod_source_;
  std::unique_ptr<cluster::PodStatusUploader> uploader_;
  std::unique_ptr<cluster::EventSink> events_;
  std::unique_ptr<cluster::MirrorPods> mirrors_;
  std::atomic<bool> mirrors_changed_{false};
  std::atomic<bool> stopping_{false};
  std::thread housekeeping_;
};

}  // namespace nodeagent::daemon
