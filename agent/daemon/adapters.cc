#include "agent/daemon/adapters.h"

#include "kube/qos.h"
#include "agent/status/generate.h"
#include "runtime/cgroups/resource_config.h"

namespace nodeagent::daemon {

namespace {

network::PodNetworkRequest request_for(const kube::Pod& pod, const runtime::SandboxInfo& sandbox) {
  network::PodNetworkRequest req;
  req.pod_uid = pod.metadata.uid;
  req.pod_namespace = pod.metadata.namespace_;
  req.pod_name = pod.metadata.name;
  req.netns_path = sandbox.netns_path;
  req.host_network = pod.spec.host_network;
  for (const auto& c : pod.spec.containers)
    for (const auto& p : c.ports)
      if (p.host_port > 0) req.host_ports.push_back({p.host_port, p.container_port, p.protocol, p.host_ip});
  return req;
}

pods::PodNetworkInfo info_of(const network::PodNetworkStatus& s) { return {s.pod_ips, s.host_ip}; }

}  // namespace

Result<pods::PodNetworkInfo> NetworkAdapter::setup(const kube::Pod& pod, const runtime::SandboxInfo& sandbox) {
  NA_ASSIGN_OR_RETURN(auto s, net_.setup(request_for(pod, sandbox)));
  return info_of(s);
}

Result<pods::PodNetworkInfo> NetworkAdapter::status(const kube::Pod& pod) {
  if (pod.spec.host_network) {
    // Host-network pods hold no IP; setup() only reports the node's facts, and is idempotent.
    NA_ASSIGN_OR_RETURN(auto s, net_.setup(request_for(pod, {})));
    return info_of(s);
  }
  NA_ASSIGN_OR_RETURN(auto s, net_.status(pod.metadata.uid));
  return info_of(s);
}

Status NetworkAdapter::teardown(const std::string& pod_uid, const runtime::SandboxInfo& sandbox) {
  return net_.teardown(pod_uid, sandbox.netns_path);
}

Status CgroupAdapter::ensure(const kube::Pod& pod) {
  const auto qos = kube::qos_class(pod);
  return cgroups_.ensure_pod(pod.metadata.uid, qos, runtime::cgroups::resource_config_for_pod(pod.spec, qos));
}

std::string CgroupAdapter::container_cgroups_path(const kube::Pod& pod, const std::string& container_id) {
  return cgroups_.container_cgroups_path(pod.metadata.uid, kube::qos_class(pod), container_id);
}

Status CgroupAdapter::remove(const kube::Pod& pod) {
  return cgroups_.remove_pod(pod.metadata.uid, std::chrono::seconds(5));
}

void StatusAdapter::update(const kube::Pod& pod, const pods::PodRuntimeState& state) {
  auto previous = manager_.get_pod_status(pod.metadata.uid).value_or(pod.status);
  auto next = status::generate_pod_status(pod, state, previous, state.probes, state.host_ip, clock_.now());
  manager_.set_pod_status(pod.metadata.uid, std::move(next));
}

void StatusAdapter::reject(const kube::Pod& pod, const std::string& reason, const std::string& message) {
  kube::PodStatus st;
  st.phase = "Failed";
  st.reason = reason;
  st.message = "Pod was rejected: " + message;
  manager_.set_pod_status(pod.metadata.uid, st);
  recorder_.record(events::pod_reference(pod), events::kWarning, reason, message);
}

}  // namespace nodeagent::daemon
