// The glue's single-threaded core: typed Services, EndpointSlices and pods in, proxy model out.
// It converts with network/proxy/from_kube, skips what did not change (typed comparison),
// reports a refused object once (until it changes or is fixed), and computes the endpoints of
// selector Services from the node's pods. ServiceProxy runs it on the proxy's own thread; tests
// drive it directly against a ChangeTracker.
//
// Where a selector Service's endpoints come from: standalone (manifest dir) nobody else computes
// them, so this does, from the node's pods. Joined to a control plane, the endpointslice
// controller writes them into EndpointSlices labelled
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io, with every node's pods
// in them, this node's included; kube-proxy uses those alone. So as soon as one such slice names
// a Service (kubernetes.io/service-name), the Service's pod-computed slice is withdrawn and the
// controller's slices are its only endpoints: the node's own pods are never counted twice. If
// the controller's last slice goes away, the pod-computed slice comes back.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "agent/services/service_input.h"
#include "network/proxy/pod_endpoints.h"
#include "network/proxy/service_source.h"

namespace nodeagent::services {

// problem(object, message): an object that was refused ("service default/web", with the reason).
using ProblemFn = std::function<void(const std::string& object, const std::string& message)>;

class ServiceState final : public ServiceInput {
 public:
  ServiceState(network::proxy::ServiceSink& sink, std::string node_name, ProblemFn on_problem);

  void upsert_service(const kube::Service& service) override;
  void delete_service(const std::string& ns, const std::string& name) override;
  void upsert_endpoint_slice(const kube::EndpointSlice& slice) override;
  void delete_endpoint_slice(const std::string& ns, const std::string& name) override;
  void upsert_pod(const kube::Pod& pod) override;
  void delete_pod(const std::string& uid) override;

  // Applies what the calls above left pending: retries refused Services after a change (a freed
  // nodePort), then recomputes the pod endpoints of the selector Services whose pods or
  // definition changed. Call it after a batch of calls.
  void refresh();

 private:
  using Key = std::string;  // "ns/name"
  void report(const std::string& object, const std::string& message);  // message "" = fine now
  void forget_service(const Key& key);
  void pod_changed(const network::proxy::PodForEndpoints* before, const network::proxy::PodForEndpoints* after);
  // Records which Service a slice of the endpointslice controller belongs to ("" = not one).
  void track_controller_slice(const Key& slice, const Key& service);
  bool has_controller_slices(const Key& service) const { return controller_slice_count_.count(service) > 0; }

  network::proxy::ServiceSink& sink_;
  const std::string node_name_;
  ProblemFn on_problem_;
  std::map<Key, network::proxy::ServiceInfo> services_;          // as applied to the sink
  std::map<Key, kube::Service> refused_services_;                // retried after every Service change
  std::map<Key, network::proxy::EndpointSliceInfo> slices_;      // as applied to the sink
  std::map<std::string, network::proxy::PodForEndpoints> pods_;  // by UID
  std::set<Key> pod_slices_;                                     // Services with a pod-computed slice
  std::map<Key, Key> controller_slices_;                         // controller slice -> its Service
  std::map<Key, int> controller_slice_count_;                    // Service -> controller slices naming it
  std::set<Key> dirty_;                                          // Services whose pod endpoints to recompute
  bool services_changed_ = false;
  std::map<std::string, std::string> last_errors_;       // object -> message, reported once
};

}  // namespace nodeagent::services
