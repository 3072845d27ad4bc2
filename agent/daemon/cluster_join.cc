#include "agent/daemon/cluster_join.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "kube/client/kubeconfig.h"
#include "kube/client/tls_bootstrap.h"
#include "util/atomic_file.h"
#include "util/http/curl_http_client.h"
#include "util/log.h"
#include "util/version.h"

namespace nodeagent::daemon {

Result<std::unique_ptr<ClusterJoin>> ClusterJoin::create(const config::AgentConfig& config, const std::string& node_name,
                                                         const Clock& clock) {
  std::unique_ptr<ClusterJoin> join(new ClusterJoin());
  join->http_ = std::make_shared<http::CurlHttpClient>();
  kube::client::ClientOptions options;
  options.qps = config.kube_api_qps;
  options.burst = config.kube_api_burst;
  options.user_agent = std::string("nodeagent/") + version() + " (linux)";
  const std::string cert_dir = config.cert_dir.empty() ? config.root_dir + "/pki" : config.cert_dir;
  if (!config.bootstrap_kubeconfig.empty()) {
    kube::client::BootstrapOptions boot;
    boot.kubeconfig = config.kubeconfig;
    boot.bootstrap_kubeconfig = config.bootstrap_kubeconfig;
    boot.cert_dir = cert_dir;
    boot.data_dir = config.root_dir + "/kubeconfig-data";
    boot.node_name = node_name;
    NA_RETURN_IF_ERROR(kube::client::ensure_node_kubeconfig(join->http_, boot, options));
  }
  NA_ASSIGN_OR_RETURN(auto client_config, kube::client::load_kubeconfig(config.kubeconfig, config.root_dir + "/kubeconfig-data"));
  join->client_ = std::make_unique<kube::client::ApiClient>(join->http_, std::move(client_config), options);
  if (!config.proxy_kubeconfig.empty()) {
    NA_ASSIGN_OR_RETURN(auto proxy_config,
                        kube::client::load_kubeconfig(config.proxy_kubeconfig, config.root_dir + "/kubeconfig-data/proxy"));
    join->proxy_client_ = std::make_unique<kube::client::ApiClient>(join->http_, std::move(proxy_config), options);
  }
  join->context_ = cluster::ClusterContext{join->client_.get(), node_name, &clock};
  join->tokens_ = std::make_unique<cluster::TokenRequester>(join->context_);
  if (config.rotate_certificates) {
    // Each node renews at its own point of the lifetime (kubelet jitters the deadline).
    std::uniform_real_distribution<double> jitter(0, 1);
    std::random_device seed;
    join->rotator_ = std::make_unique<cluster::ClientCertificateRotator>(
        *join->client_, node_name, cert_dir, jitter(seed),
        [](const std::string& message) { log::get("cluster")->warn("{}", message); });
    join->rotator_->use_stored_certificate();
    join->rotator_->start();
  }
  return join;
}

void ClusterJoin::start_node(cluster::NodeFacts facts, cluster::NodeStatusReporter::HealthFn health,
                             cluster::NodeStatusReporter::ImagesFn images,
                             events::Recorder& recorder, bool register_node, int update_frequency_seconds) {
  cluster::NodeStatusOptions options;
  options.register_node = register_node;
  options.update_frequency = std::chrono::seconds(update_frequency_seconds);
  kube::ObjectReference node_ref;
  node_ref.kind = "Node";
  node_ref.name = context_.node_name;
  node_ref.uid = context_.node_name;  // kubelet's node events carry the node name as uid
  node_ = std::make_unique<cluster::NodeStatusReporter>(
      context_, std::move(facts), std::move(health), std::move(images), options,
      [&recorder, node_ref](const cluster::NodeEvent& e) { recorder.record(node_ref, e.type, e.reason, e.message); });
  lease_ = std::make_unique<cluster::NodeLease>(context_);
  node_->start();
  lease_->start();
}

Result<std::string> ClusterJoin::pod_cidr(const std::string& root_dir, std::chrono::milliseconds timeout) {
  const std::string recorded = root_dir + "/pod-cidr";
  auto from_api = node_->wait_for_pod_cidr(timeout);
  if (from_api.ok()) {
    if (auto st = write_file_atomically(recorded, *from_api, {.mode = 0644, .skip_if_unchanged = true}); !st.ok())
      log::get("cluster")->warn("{}: {}", recorded, st.error().message);
    return from_api;
  }
  std::ifstream in(recorded);
  std::stringstream text;
  text << in.rdbuf();
  if (!text.str().empty()) {
    log::get("cluster")->warn("no spec.podCIDR from the API server ({}); using the one recorded at the last start: {}",
                              from_api.error().message, text.str());
    return text.str();
  }
  return from_api.error();
}

void ClusterJoin::start_routes(cluster::NodeRoutes::RoutesFn on_routes) {
  // A node's own identity may read only its own Node (v1.37's Node authorizer): the other
  // Nodes are read with the proxy's identity (kube-proxy's may list them) when there is one.
  auto& client = proxy_client_ ? *proxy_client_ : *client_;
  routes_ = std::make_unique<cluster::NodeRoutes>(client, context_.node_name, std::move(on_routes), [](const Error& e) {
    log::get("cluster")->warn("routes to other nodes: {}", e.message);
  });
  routes_->start();
}

void ClusterJoin::start_services(services::ServiceInput* proxy, std::function<void(std::vector<kube::Service>)> on_services,
                                 std::function<void()> on_synced) {
  cluster::ApiServicesCallbacks callbacks;
  callbacks.on_services = std::move(on_services);
  callbacks.on_synced = std::move(on_synced);
  callbacks.on_problem = [](const std::string& object, const std::string& message) {
    log::get("cluster")->warn("{}: {}", object, message);
  };
  cluster::ApiServicesOptions options;
  options.proxy_client = proxy_client_.get();
  services_ = std::make_unique<cluster::ApiServiceSource>(context_, proxy, std::move(callbacks), options);
  services_->start();
}

const kube::ObjectSource* ClusterJoin::objects(const kube::ObjectSource& files,
                                               std::function<void(std::vector<kube::ObjectChange>)> on_changes) {
  api_objects_ = std::make_unique<cluster::ApiObjectSource>(context_);
  objects_ = std::make_unique<cluster::CompositeObjectSource>(files, *api_objects_);
  api_objects_->start(std::move(on_changes));
  return objects_.get();
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
        // About the Pod object itself ("ns/name" split), so the event's name has no "/" and the
        // API server takes it.
        kube::ObjectReference ref;
        ref.kind = "Pod";
        ref.api_version = "v1";
        const auto slash = pod.find('/');
        ref.namespace_ = slash == std::string::npos ? "default" : pod.substr(0, slash);
        ref.name = slash == std::string::npos ? pod : pod.substr(slash + 1);
        recorder.record(ref, events::kWarning, "FailedToDecodePod", "pod " + pod + ": " + message);
      },
      [this](std::vector<cluster::MirrorPod> mirrors) {
        mirrors_->set_mirrors(std::move(mirrors));
        mirrors_changed_ = true;
      });
  manager.set_on_terminated([this](const pods::PodPtr& pod) {
    tokens_->forget_pod(pod->metadata.uid);
    pod_source_->on_pod_terminated(*pod);
  });

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
  if (rotator_) rotator_->stop();
  if (manager_) manager_->set_on_terminated(nullptr);
  manager_ = nullptr;
  if (pod_source_) pod_source_->stop();
  if (services_) services_->stop();
  if (routes_) routes_->stop();
  if (api_objects_) api_objects_->stop();
  if (lease_) lease_->stop();
  if (node_) node_->stop();
  if (uploader_) uploader_->stop();
  if (events_) events_->stop();
}

}  // namespace nodeagent::daemon
