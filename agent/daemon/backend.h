// The daemon's AgentBackend: answers the local API (agent/api/) from the pod manager, the
// status manager, the event recorder and the runtime.
#pragma once

#include <functional>

#include "agent/api/backend.h"
#include "agent/events/recorder.h"
#include "agent/pods/observe.h"
#include "agent/pods/pod_manager.h"
#include "agent/status/status_manager.h"

namespace nodeagent::daemon {

// The service proxy's views, plugged in when the proxy runs.
struct ProxyViews {
  std::function<Result<nlohmann::json>()> list_services;
  std::function<Result<std::string>(const std::string&, const std::string&)> trace;
};

class DaemonBackend final : public api::AgentBackend {
 public:
  DaemonBackend(pods::PodManager& pods, status::StatusManager& statuses, events::Recorder& recorder,
                runtime::ContainerService& containers, runtime::ImageService& images, pods::PodPaths paths, Facts facts);

  void set_proxy_views(ProxyViews views) { proxy_ = std::move(views); }
  // The prober's rows for a pod uid ("" = every pod), plugged in when the prober runs.
  using ProbeView = std::function<std::vector<nlohmann::json>(const std::string& pod_uid)>;
  void set_probe_view(ProbeView view) { probes_ = std::move(view); }

  std::vector<nlohmann::json> list_pods() override;
  Result<nlohmann::json> get_pod(const std::string& pod) override;
  Result<std::vector<api::ContainerView>> list_containers(const std::string& pod, bool all) override;
  Result<std::string> container_id(const std::string& pod, const std::string& container) override;
  Result<api::LogLocation> log_location(const std::string& pod, const std::string& container, bool previous) override;
  std::vector<nlohmann::json> list_events(const std::string& pod) override;
  Result<std::vector<nlohmann::json>> list_probes(const std::string& pod) override;
  runtime::ContainerService& containers() override { return containers_; }
  runtime::ImageService& images() override { return images_; }
  Result<nlohmann::json> list_services() override;
  Result<std::string> trace_service(const std::string& service, const std::string& port) override;
  Facts facts() override { return facts_; }

  // The v1 Pod with its current status (Pending with no status yet).
  kube::Pod with_status(const kube::Pod& pod) const;

 private:
  Result<pods::PodPtr> resolve(const std::string& ref) const;
  // Instances of one container of a pod, oldest first.
  Result<std::vector<runtime::ContainerState>> instances(const kube::Pod& pod, const std::string& container);
  Result<std::string> pick_container(const kube::Pod& pod, const std::string& container) const;

  pods::PodManager& pods_;
  status::StatusManager& statuses_;
  events::Recorder& recorder_;
  runtime::ContainerService& containers_;
  runtime::ImageService& images_;
  pods::PodPaths paths_;
  Facts facts_;
  ProxyViews proxy_;
  ProbeView probes_;
};

}  // namespace nodeagent::daemon
