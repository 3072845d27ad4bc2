// In-memory volumes::VolumeManager for the pod syncer's unit tests: no directories are made;
// each container gets the mounts a test gives it. Calls go to the shared CallLog, and
// setup/mounts/teardown can be made to fail.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "test/fakes/call_log.h"
#include "volumes/manager/volume_manager.h"

namespace nodeagent::fakes {

class FakeVolumeManager : public volumes::VolumeManager {
 public:
  Status setup_pod_volumes(const kube::Pod& pod, const volumes::PodVolumeContext&) override {
    std::lock_guard lock(mu_);
    if (log) log->add("volumes.setup " + pod.metadata.uid);
    if (auto e = faults.take("setup")) return *e;
    set_up_.insert(pod.metadata.uid);
    return ok_status();
  }
  Result<std::vector<runtime::Mount>> container_mounts(const kube::Pod& pod, const kube::Container& c,
                                                       const volumes::ContainerMountContext&) override {
    std::lock_guard lock(mu_);
    if (log) log->add("volumes.mounts " + c.name);
    if (auto e = faults.take("mounts")) return *e;
    (void)pod;
    auto it = mounts_.find(c.name);
    if (it == mounts_.end()) return std::vector<runtime::Mount>{};
    return it->second;
  }
  Status teardown_pod_volumes(const std::string& pod_uid) override {
    std::lock_guard lock(mu_);
    if (log) log->add("volumes.teardown " + pod_uid);
    if (auto e = faults.take("teardown")) return *e;
    set_up_.erase(pod_uid);
    return ok_status();
  }

  Result<std::vector<runtime::Device>> container_devices(const kube::Pod&, const kube::Container& c) override {
    std::lock_guard lock(mu_);
    if (log) log->add("volumes.devices " + c.name);
    if (auto e = faults.take("devices")) return *e;
    auto it = devices_.find(c.name);
    if (it == devices_.end()) return std::vector<runtime::Device>{};
    return it->second;
  }
  std::optional<std::string> empty_dir_over_limit(const kube::Pod&) override {
    std::lock_guard lock(mu_);
    return over_limit_;
  }
  // What empty_dir_over_limit() says from now on.
  void set_over_limit(std::optional<std::string> message) {
    std::lock_guard lock(mu_);
    over_limit_ = std::move(message);
  }
  void set_devices(const std::string& container, std::vector<runtime::Device> devices) {
    std::lock_guard lock(mu_);
    devices_[container] = std::move(devices);
  }

  // The mounts container_mounts() gives the container named `container`.
  void set_mounts(const std::string& container, std::vector<runtime::Mount> mounts) {
    std::lock_guard lock(mu_);
    mounts_[container] = std::move(mounts);
  }
  bool is_set_up(const std::string& pod_uid) const {
    std::lock_guard lock(mu_);
    return set_up_.count(pod_uid) > 0;
  }

  Faults faults{{"setup", "mounts", "teardown", "devices"}};
  CallLog* log = nullptr;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<runtime::Mount>> mounts_;
  std::map<std::string, std::vector<runtime::Device>> devices_;
  std::set<std::string> set_up_;
  std::optional<std::string> over_limit_;
};

}  // namespace nodeagent::fakes
