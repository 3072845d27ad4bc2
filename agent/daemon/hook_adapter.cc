#include "agent/daemon/hook_adapter.h"

namespace nodeagent::daemon {

probes::hooks::HookTarget HookAdapter::target(const kube::Pod& pod, const kube::Container& container,
                                              const std::string& id, const kube::LifecycleHandler& handler) {
  probes::hooks::HookTarget t{&pod, &container, id, "", "", {}};
  // Only an httpGet hook needs the pod's IP and namespace; host-network pods connect from ours.
  if (!handler.http_get) return t;
  if (network_)
    if (auto net = network_->status(pod); net.ok() && !net->pod_ips.empty()) t.pod_ip = net->pod_ips.front();
  if (!pod.spec.host_network)
    if (auto sandbox = sandboxes_.find_sandbox(pod.metadata.uid); sandbox.ok()) t.netns_path = sandbox->netns_path;
  return t;
}

Status HookAdapter::run(const kube::Pod& pod, const kube::Container& container, const std::string& id,
                        const kube::LifecycleHandler& handler, std::optional<std::chrono::milliseconds> deadline,
                        std::function<bool()> cancelled) {
  auto event = [&](const std::string& type, const std::string& reason, const std::string& message) {
    if (events_) events_->record(pod, type, reason, message);
  };
  auto t = target(pod, container, id, handler);
  t.cancelled = std::move(cancelled);
  return runner_.run(t, handler, deadline, event);
}

Status HookAdapter::post_start(const kube::Pod& pod, const kube::Container& container, const std::string& container_id) {
  if (!container.lifecycle || !container.lifecycle->post_start) return ok_status();
  std::function<bool()> cancelled;
  if (terminating_) cancelled = [this, uid = pod.metadata.uid] { return terminating_(uid); };
  return run(pod, container, container_id, *container.lifecycle->post_start, std::nullopt, std::move(cancelled));
}

Status HookAdapter::pre_stop(const kube::Pod& pod, const kube::Container& container, const std::string& container_id,
                             std::chrono::seconds grace) {
  if (!container.lifecycle || !container.lifecycle->pre_stop) return ok_status();
  // preStop runs while the pod terminates: bounded by its grace period, never cancelled.
  return run(pod, container, container_id, *container.lifecycle->pre_stop, grace, {});
}

}  // namespace nodeagent::daemon
