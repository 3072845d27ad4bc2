// ServiceState (see service_state.h).
#include "agent/services/service_state.h"

#include <algorithm>
#include <vector>

#include "network/proxy/from_kube.h"
#include "util/log.h"

namespace nodeagent::services {
namespace {

std::string key_of(const std::string& ns, const std::string& name) { return (ns.empty() ? "default" : ns) + "/" + name; }
std::string key_of(const kube::ObjectMeta& m) { return key_of(m.namespace_, m.name); }

network::proxy::ObjectName name_of(const std::string& key) {
  auto slash = key.find('/');
  return {key.substr(0, slash), key.substr(slash + 1)};
}

// The agent's computed slice of a Service, named so that it never collides with a user's.
network::proxy::ObjectName pod_slice_of(const std::string& key) { return name_of(key + "-nodeagent-pods"); }

// The endpointslice controller's slices (kube-proxy reads these): the Service they belong to, or "".
constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
constexpr const char* kEndpointSliceController = "endpointslice-controller.k8s.io";

std::string controller_service_of(const kube::ObjectMeta& m) {
  auto managed = m.labels.find(kManagedByLabel);
  auto service = m.labels.find(kServiceNameLabel);
  if (managed == m.labels.end() || managed->second != kEndpointSliceController || service == m.labels.end()) return "";
  return key_of(m.namespace_, service->second);
}

bool selects(const network::proxy::ServiceInfo& svc, const network::proxy::PodForEndpoints& pod) {
  if (svc.selector.empty() || pod.ns != svc.name.ns) return false;
  for (const auto& [k, v] : svc.selector) {
    auto it = pod.labels.find(k);
    if (it == pod.labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

ServiceState::ServiceState(network::proxy::ServiceSink& sink, std::string node_name, ProblemFn on_problem)
    : sink_(sink), node_name_(std::move(node_name)), on_problem_(std::move(on_problem)) {}

void ServiceState::report(const std::string& object, const std::string& message) {
  if (message.empty()) {
    last_errors_.erase(object);
    return;
  }
  auto& last = last_errors_[object];
  if (last == message) return;
  last = message;
  log::get("proxy")->warn("{}: {}", object, message);
  if (on_problem_) on_problem_(object, message);
}

// A Service that was applied is taken out of the sink, with its computed slice.
void ServiceState::forget_service(const Key& key) {
  if (services_.erase(key)) {
    sink_.delete_service(name_of(key));
    services_changed_ = true;
  }
  if (pod_slices_.erase(key)) sink_.delete_endpoint_slice(pod_slice_of(key));
  dirty_.erase(key);
}

void ServiceState::upsert_service(const kube::Service& service) {
  const Key key = key_of(service.metadata);
  const std::string object = "service " + key;
  auto info = network::proxy::service_from_kube(service);
  Status applied = info.ok() ? ok_status() : Status(info.error());
  if (info.ok()) {
    if (auto it = services_.find(key); it != services_.end() && it->second == *info) {
      refused_services_.erase(key);
      report(object, "");
      return;
    }
    applied = sink_.upsert_service(*info);
  }
  if (!applied.ok()) {
    // Refused: the previous version goes too (what is running no longer matches the manifest).
    report(object, applied.error().message);
    forget_service(key);
    refused_services_.insert_or_assign(key, service);
    return;
  }
  refused_services_.erase(key);
  report(object, "");
  services_[key] = std::move(*info);
  services_changed_ = true;
  dirty_.insert(key);
}

void ServiceState::delete_service(const std::string& ns, const std::string& name) {
  const Key key = key_of(ns, name);
  refused_services_.erase(key);
  report("service " + key, "");
  forget_service(key);
}

void ServiceState::track_controller_slice(const Key& slice, const Key& service) {
  auto it = controller_slices_.find(slice);
  if (it != controller_slices_.end() && it->second == service) return;
  if (it != controller_slices_.end()) {
    const Key before = it->second;
    controller_slices_.erase(it);
    if (--controller_slice_count_[before] == 0) controller_slice_count_.erase(before);
    dirty_.insert(before);  // its last controller slice may be gone: pod endpoints again
  }
  if (service.empty()) return;
  controller_slices_[slice] = service;
  ++controller_slice_count_[service];
  dirty_.insert(service);  // the controller's slices take over from the pod-computed one
}

void ServiceState::upsert_endpoint_slice(const kube::EndpointSlice& slice) {
  const Key key = key_of(slice.metadata);
  const std::string object = "endpointslice " + key;
  // Counted even when refused below (e.g. an IPv6 slice): the controller owns the endpoints.
  track_controller_slice(key, controller_service_of(slice.metadata));
  auto info = network::proxy::endpoint_slice_from_kube(slice);
  if (!info.ok()) {
    report(object, info.error().message);
    if (slices_.erase(key)) sink_.delete_endpoint_slice(name_of(key));
    return;
  }
  report(object, "");
  if (auto it = slices_.find(key); it != slices_.end() && it->second == *info) return;
  sink_.upsert_endpoint_slice(*info);
  slices_[key] = std::move(*info);
}

void ServiceState::delete_endpoint_slice(const std::string& ns, const std::string& name) {
  const Key key = key_of(ns, name);
  track_controller_slice(key, "");
  report("endpointslice " + key, "");
  if (slices_.erase(key)) sink_.delete_endpoint_slice(name_of(key));
}

void ServiceState::pod_changed(const network::proxy::PodForEndpoints* before,
                               const network::proxy::PodForEndpoints* after) {
  for (const auto& [key, svc] : services_)
    if ((before && selects(svc, *before)) || (after && selects(svc, *after))) dirty_.insert(key);
}

void ServiceState::upsert_pod(const kube::Pod& pod) {
  auto next = network::proxy::pod_from_kube(pod);
  auto it = pods_.find(pod.metadata.uid);
  if (it == pods_.end()) {
    pod_changed(nullptr, &next);
    pods_.emplace(pod.metadata.uid, std::move(next));
    return;
  }
  if (it->second == next) return;  // e.g. a status change that does not touch IP or readiness
  pod_changed(&it->second, &next);
  it->second = std::move(next);
}

void ServiceState::delete_pod(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  pod_changed(&it->second, nullptr);
  pods_.erase(it);
}

void ServiceState::refresh() {
  // A change to the Services may have freed what a refused one needs (e.g. its nodePort).
  while (services_changed_ && !refused_services_.empty()) {
    services_changed_ = false;
    auto refused = refused_services_;
    for (const auto& [key, svc] : refused) upsert_service(svc);
  }
  services_changed_ = false;
  if (dirty_.empty()) return;
  // In (namespace, name) order, as the pod manager lists them: a named targetPort resolves to
  // the first pod's number (see pod_endpoints.h).
  std::vector<network::proxy::PodForEndpoints> pods;
  for (const auto& [uid, pod] : pods_) pods.push_back(pod);
  std::sort(pods.begin(), pods.end(), [](const auto& a, const auto& b) { return std::tie(a.ns, a.name) < std::tie(b.ns, b.name); });
  for (const auto& key : dirty_) {
    auto it = services_.find(key);
    if (it == services_.end()) continue;
    if (it->second.selector.empty() || has_controller_slices(key)) {
      // No selector (any more), or the endpointslice controller computes the endpoints (with
      // this node's pods in them): EndpointSlices only.
      if (pod_slices_.erase(key)) sink_.delete_endpoint_slice(pod_slice_of(key));
      continue;
    }
    sink_.upsert_endpoint_slice(network::proxy::endpoints_from_pods(it->second, pods, node_name_));
    pod_slices_.insert(key);
  }
  dirty_.clear();
}

}  // namespace nodeagent::services
