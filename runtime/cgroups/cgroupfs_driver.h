// The cgroupfs CgroupManager: creates and removes cgroup directories and writes limit files
// itself, for cgroup v1 (the pod cgroup is created in every mounted hierarchy, as kubelet
// does) and v2 (one hierarchy; controllers enabled in each parent's cgroup.subtree_control).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/cgroup_layout.h"
#include "runtime/cgroups/cgroup_manager.h"
#include "runtime/cgroups/resource_config.h"

namespace nodeagent::runtime::cgroups {

class CgroupfsDriver final : public CgroupManager {
 public:
  CgroupfsDriver(CgroupLayout layout, std::unique_ptr<CgroupFs> fs);

  Status ensure_qos_parents() override;
  Status ensure_pod(const std::string& pod_uid, QosClass qos, const PodResources& resources) override;
  std::string pod_cgroup_path(const std::string& pod_uid, QosClass qos) const override;
  std::string container_cgroups_path(const std::string& pod_uid, QosClass qos,
                                     const std::string& container_id) const override;
  Status remove_pod(const std::string& pod_uid, std::chrono::milliseconds timeout) override;
  Result<std::vector<PodCgroup>> list_pods() override;
  bool oom_killed(const std::string& cgroups_path) override;

 private:
  std::string qos_parent_path(QosClass qos) const;  // "/<prefix>/kubepods[/burstable|/besteffort]"
  std::vector<std::string> hierarchy_roots() const;  // absolute dirs of every hierarchy
  Status ensure_path(const std::string& relative);  // mkdir -p in every hierarchy
  Status apply_resources(const std::string& relative, const PodResources& resources);
  Status remove_tree_once(const std::string& absolute);

  const CgroupLayout layout_;
  const std::unique_ptr<CgroupFs> fs_;
};

// The cgroupfs driver for this machine: detects the layout, uses the real filesystem.
Result<std::unique_ptr<CgroupManager>> make_cgroupfs_manager(const std::string& prefix);

}  // namespace nodeagent::runtime::cgroups
