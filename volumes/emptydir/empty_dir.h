// emptyDir volumes (kubelet's kubernetes.io/empty-dir): a 0777 directory on the node's disk, or
// a tmpfs for medium Memory (memory_empty_dir_size); a disk emptyDir's sizeLimit is enforced by
// eviction (usage.h); fsGroup makes it group-owned and setgid so
// that new files belong to that group.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "volumes/mount/mounter.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

// The size of a Memory emptyDir's tmpfs, as kubelet's calculateEmptyDirMemorySize: node
// allocatable, lowered to the pod's memory limit (when every container has one) and to the
// volume's sizeLimit; 0 (the kernel's default, half of RAM) when nothing is known.
int64_t memory_empty_dir_size(const kube::Pod& pod, const kube::Volume& volume, int64_t node_allocatable_memory);

class EmptyDirPlugin final : public VolumePlugin {
 public:
  explicit EmptyDirPlugin(std::shared_ptr<Mounter> mounter);
  std::string name() const override { return "kubernetes.io/empty-dir"; }
  bool handles(const kube::Volume& volume) const override { return volume.empty_dir.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  std::shared_ptr<Mounter> mounter_;
};

}  // namespace nodeagent::volumes
