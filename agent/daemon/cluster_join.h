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
#include "agent/cluster/client_cert_rotator.h"
#include "agent/cluster/event_sink.h"
#include "agent/cluster/api_objects.h"
#include "agent/cluster/api_services.h"
#include "agent/cluster/composite_object_source.h"
#include "agent/cluster/mirror_pods.h"
#include "agent/cluster/node_host_facts.h"
#include "agent/cluster/node_lease.h"
#include "agent/cluster/node_registrar.h"
#include "agent/cluster/node_routes.h"
#include "agent/cluster/token_requester.h"
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

  // Registers the Node and keeps its status and Lease current (threads of their own; an API
  // server that cannot be reached is retried, never fatal).
  void start_node(cluster::NodeFacts facts, cluster::NodeStatusReporter::HealthFn health,
                    cluster::NodeStatusReporter::ImagesFn images,
                    events::Recorder& recorder, bool register_node, int update_frequency_seconds);
  // This node's spec.podCIDR: from the API server (waiting up to `timeout` for the
  // controller-manager), else the one recorded at the last start (<root>/pod-cidr), else kUnavailable.
  Result<std::string> pod_cidr(const std::string& root_dir, std::chrono::milliseconds timeout);
  // Routes to the other nodes' pod CIDRs, delivered on every change.
  void start_routes(cluster::NodeRoutes::RoutesFn on_routes);
  // Services and EndpointSlices into the proxy (null: none), every Service to `on_services`.
  void start_services(services::ServiceInput* proxy, std::function<void(std::vector<kube::Service>)> on_services,
                      std::function<void()> on_synced);
  // The objects volumes and env read: the manifest directory's first, then the API server's;
  // `on_changes` hears about API objects that changed (to wake the pods that use them).
  const kube::ObjectSource* objects(const kube::ObjectSource& files,
                                    std::function<void(std::vector<kube::ObjectChange>)> on_changes);
  volumes::TokenSource* tokens() { return tokens_.get(); }

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
  std::unique_ptr<kube::client::ApiClient> proxy_client_;  // --proxy-kubeconfig, when given
  cluster::ClusterContext context_;
  pods::PodManager* manager_ = nullptr;
  std::unique_ptr<cluster::ApiPodSource> pod_source_;
  std::unique_ptr<cluster::PodStatusUploader> uploader_;
  std::unique_ptr<cluster::EventSink> events_;
  std::unique_ptr<cluster::MirrorPods> mirrors_;
  std::unique_ptr<cluster::NodeStatusReporter> node_;
  std::unique_ptr<cluster::NodeLease> lease_;
  std::unique_ptr<cluster::NodeRoutes> routes_;
  std::unique_ptr<cluster::ApiServiceSource> services_;
  std::unique_ptr<cluster::ApiObjectSource> api_objects_;
  std::unique_ptr<cluster::CompositeObjectSource> objects_;
  std::unique_ptr<cluster::TokenRequester> tokens_;
  std::unique_ptr<cluster::ClientCertificateRotator> rotator_;  // --rotate-certificates
  std::atomic<bool> mirrors_changed_{false};
  std::atomic<bool> stopping_{false};
  std::thread housekeeping_;
};

}  // namespace nodeagent::daemon
