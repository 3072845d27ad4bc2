// Thin adapters from the pod syncer's ports (agent/pods/ports.h) onto the modules that do the
// work: network/pod (PodNetwork), runtime/cgroups (CgroupManager), agent/status (status
// generation + StatusManager), agent/events (Recorder). Translation only; no policy here.
#pragma once

#include <memory>
#include <map>
#include <mutex>
#include <vector>

#include "agent/events/recorder.h"
#include "agent/pleg/pleg.h"
#include "agent/pods/pod_workers.h"
#include "agent/pods/ports.h"
#include "agent/pods/service_env.h"
#include "agent/status/status_manager.h"
#include "util/clock.h"
#include "network/pod/pod_network.h"
#include "runtime/cgroups/cgroup_manager.h"

namespace nodeagent::daemon {

class NetworkAdapter final : public pods::PodNetworkPort {
 public:
  explicit NetworkAdapter(network::PodNetwork& net) : net_(net) {}
  Result<pods::PodNetworkInfo> setup(const kube::Pod& pod, const runtime::SandboxInfo& sandbox) override;
  Result<pods::PodNetworkInfo> status(const kube::Pod& pod) override;
  Status teardown(const std::string& pod_uid, const runtime::SandboxInfo& sandbox) override;

 private:
  network::PodNetwork& net_;
};

// Pods without IP networking (--no-network): the netns has lo only; hostIP is the node's.
class LoopbackOnlyNetwork final : public pods::PodNetworkPort {
 public:
  explicit LoopbackOnlyNetwork(std::string host_ip) : host_ip_(std::move(host_ip)) {}
  Result<pods::PodNetworkInfo> setup(const kube::Pod&, const runtime::SandboxInfo&) override { return info(); }
  Result<pods::PodNetworkInfo> status(const kube::Pod&) override { return info(); }
  Status teardown(const std::string&, const runtime::SandboxInfo&) override { return ok_status(); }

 private:
  pods::PodNetworkInfo info() const { return {{}, host_ip_}; }
  std::string host_ip_;
};

class CgroupAdapter final : public pods::PodCgroupPort {
 public:
  explicit CgroupAdapter(runtime::cgroups::CgroupManager& cgroups) : cgroups_(cgroups) {}
  Status ensure(const kube::Pod& pod) override;
  std::string container_cgroups_path(const kube::Pod& pod, const std::string& container_id) override;
  Status remove(const kube::Pod& pod) override;

 private:
  runtime::cgroups::CgroupManager& cgroups_;
};

class StatusAdapter final : public pods::PodStatusPort {
 public:
  StatusAdapter(status::StatusManager& manager, events::Recorder& recorder, const Clock& clock)
      : manager_(manager), recorder_(recorder), clock_(clock) {}
  // A pod refused before it reached a worker (OutOfpods): Failed with kubelet's rejectPod status
  // ("Pod was rejected: <message>") and a Warning event with the message alone.
  void reject(const kube::Pod& pod, const std::string& reason, const std::string& message);
  void update(const kube::Pod& pod, const pods::PodRuntimeState& state) override;
  std::optional<kube::PodStatus> current(const std::string& uid) override { return manager_.get_pod_status(uid); }
  void remove(const std::string& uid) override { manager_.remove(uid); }

 private:
  status::StatusManager& manager_;
  events::Recorder& recorder_;
  const Clock& clock_;
};

class EventAdapter final : public pods::EventPort {
 public:
  explicit EventAdapter(events::Recorder& recorder) : recorder_(recorder) {}
  void record(const kube::Pod& pod, const std::string& type, const std::string& reason,
              const std::string& message) override {
    recorder_.record(events::pod_reference(pod), type, reason, message);
  }

 private:
  events::Recorder& recorder_;
};

// The PLEG wakes the pod workers through this.
class WorkerWaker final : public pleg::PodWaker {
 public:
  explicit WorkerWaker(pods::PodWorkers& workers) : workers_(workers) {}
  void wake(const std::string& pod_uid) override { workers_.wake(pod_uid); }
  void wake_all() override { workers_.wake_all(); }

 private:
  pods::PodWorkers& workers_;
};

// The node's Services as their sources last gave them (the manifest directory today, the API
// server once joined), for the Service environment variables of starting containers.
class ServiceStore final : public pods::ServiceListerPort {
 public:
  // Every Service of one source ("file", "api"); services() is their union.
  void set(const std::string& source, std::vector<kube::Service> services) {
    std::lock_guard lock(mu_);
    by_source_[source] = std::move(services);
  }
  std::vector<kube::Service> services() const override {
    std::lock_guard lock(mu_);
    std::vector<kube::Service> all;
    for (const auto& [source, list] : by_source_) all.insert(all.end(), list.begin(), list.end());
    return all;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<kube::Service>> by_source_;
};

}  // namespace nodeagent::daemon
