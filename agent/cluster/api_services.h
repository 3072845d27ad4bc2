// Services and EndpointSlices from the API server, for the service proxy and for the Service
// environment variables of containers (kube-proxy's two informers and kubelet's Service lister).
//
// Two reflectors (kube/client/reflector.h) list and watch /api/v1/services and
// /apis/discovery.k8s.io/v1/endpointslices. After each list or watch event this diffs the
// reflector's copy against what it last applied (by resourceVersion: one string compare per
// object, in one merged walk of two sorted maps) and feeds services::ServiceInput the deletes,
// then the upserts. Objects are decoded with kube/decode.h; one that does not decode is logged
// as a warning and reported through on_problem ("service default/web", the decoder's message),
// and only it is skipped (a version already applied is taken back, as ServiceState does with a
// refused one). Services and slices labelled service.kubernetes.io/service-proxy-name belong to
// another proxy, those labelled service.kubernetes.io/headless have nothing to proxy: kube-proxy
// ignores both, and so does the input here (slices are filtered by the server's label selector,
// Services here, because the env-var list needs every Service).
//
// Who may read what: a node's identity (system:node:<name>) may list and watch Services (the
// Node authorizer's RBAC rules, for env vars) but not EndpointSlices; kube-proxy's
// (system:kube-proxy, ClusterRole system:node-proxier) may read both. Give the proxy's client in
// ApiServicesOptions::proxy_client, or bind the node identity to system:node-proxier.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/cluster/cluster_context.h"
#include "agent/services/service_input.h"
#include "kube/client/reflector.h"
#include "kube/types.h"

namespace nodeagent::cluster {

// problem(object, message): an object that was skipped ("endpointslice default/web-x7k2p").
using ObjectProblemFn = std::function<void(const std::string& object, const std::string& message)>;

struct ApiServicesOptions {
  // Lists and watches EndpointSlices (and Services too, when set); null = the context's client.
  kube::client::ApiClient* proxy_client = nullptr;
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::milliseconds initial_backoff{800};
};

struct ApiServicesCallbacks {
  // Every Service the API server has (all namespaces, proxy labels or not), after each change to
  // them: for daemon::ServiceStore::set (the containers' Service environment variables).
  std::function<void(std::vector<kube::Service>)> on_services;
  ObjectProblemFn on_problem;
  // Once, when the first full lists of Services and (with an input) EndpointSlices have reached
  // the input and on_services: the time for ServiceProxy::start_syncing().
  std::function<void()> on_synced;
};

class ApiServiceSource {
 public:
  // `input`: the service proxy (null: no proxy, only the Service list; no slices are watched).
  ApiServiceSource(const ClusterContext& ctx, services::ServiceInput* input, ApiServicesCallbacks callbacks,
                   ApiServicesOptions options = {});
  ~ApiServiceSource();
  ApiServiceSource(const ApiServiceSource&) = delete;
  ApiServiceSource& operator=(const ApiServiceSource&) = delete;

  // Starts the reflectors' threads; stop() ends them (idempotent; in-flight watches are cancelled).
  void start();
  void stop();
  bool synced() const;

  // The reflectors' change handlers, called after every list and watch event with the whole
  // copy; public so that tests drive them without threads.
  void apply_services(const kube::client::ObjectMap& objects);
  void apply_slices(const kube::client::ObjectMap& objects);

 private:
  // What was last seen of one object.
  struct Seen {
    std::string resource_version;
    bool in_input = false;  // upserted into the input (and not deleted since)
  };
  using SeenMap = std::map<std::string, Seen>;  // by "namespace/name"

  void reflector_error(const char* what, const Error& error);
  void mark_synced(bool services);

  services::ServiceInput* input_;
  ApiServicesCallbacks callbacks_;
  std::string identity_;  // for messages

  std::mutex services_mu_;  // the services reflector's state
  SeenMap seen_services_;
  std::map<std::string, kube::Service> services_;  // decoded, for on_services
  std::mutex slices_mu_;    // the slices reflector's state
  SeenMap seen_slices_;

  mutable std::mutex sync_mu_;
  bool services_synced_ = false;
  bool slices_synced_ = false;
  bool announced_ = false;
  std::map<std::string, std::string> reported_errors_;  // reflector -> last error reported

  std::unique_ptr<kube::client::Reflector> services_reflector_;
  std::unique_ptr<kube::client::Reflector> slices_reflector_;
};

}  // namespace nodeagent::cluster
