// The pod syncer's LifecycleHookPort onto probes/hooks: finds what a hook needs of the pod (its
// first IP and its network namespace, for httpGet) and runs the handler. No policy here: when
// hooks run and what a failure does is the syncer's.
#pragma once

#include <functional>

#include "agent/pods/ports.h"
#include "probes/hooks/curl_hook_http.h"
#include "probes/hooks/hook_runner.h"
#include "runtime/sandbox.h"

namespace nodeagent::daemon {

class HookAdapter final : public pods::LifecycleHookPort {
 public:
  HookAdapter(runtime::ContainerService& containers, runtime::SandboxManager& sandboxes, pods::PodNetworkPort* network,
              pods::EventPort* events)
      : runner_(containers, http_), sandboxes_(sandboxes), network_(network), events_(events) {}

  Status post_start(const kube::Pod& pod, const kube::Container& container, const std::string& container_id) override;
  Status pre_stop(const kube::Pod& pod, const kube::Container& container, const std::string& container_id,
                  std::chrono::seconds grace) override;

  // Whether the pod of this UID is being deleted: a postStart hook still running then ends, as
  // kubelet's does under the pod worker's cancelled context, so that deleting the pod never waits
  // for a hook that does not return. Unset: hooks run to their end.
  void set_pod_terminating(std::function<bool(const std::string& pod_uid)> fn) { terminating_ = std::move(fn); }

 private:
  probes::hooks::HookTarget target(const kube::Pod& pod, const kube::Container& container, const std::string& id,
                                   const kube::LifecycleHandler& handler);
  Status run(const kube::Pod& pod, const kube::Container& container, const std::string& id,
             const kube::LifecycleHandler& handler, std::optional<std::chrono::milliseconds> deadline,
             std::function<bool()> cancelled);

  probes::hooks::CurlHookHttp http_;
  probes::hooks::HookRunner runner_;
  runtime::SandboxManager& sandboxes_;
  pods::PodNetworkPort* network_;  // nullptr: pods have no IP (an httpGet hook needs its host then)
  pods::EventPort* events_;
  std::function<bool(const std::string&)> terminating_;
};

}  // namespace nodeagent::daemon
