// Volumes of a pod: set up before its containers start, turned into bind mounts per container,
// torn down after the pod is gone. This first implementation covers emptyDir (node disk and
// Memory/tmpfs) and hostPath; the other sources (configMap, secret, downwardAPI, projected,
// persistentVolumeClaim) return a clear "not supported" error that keeps the pod in
// ContainerCreating, until the volumes issue adds them behind this same interface.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"
#include "runtime/types.h"

namespace nodeagent::volumes {

class VolumeManager {
 public:
  virtual ~VolumeManager() = default;
  // Prepares every volume of the pod (idempotent). Errors name the volume.
  virtual Status setup_pod_volumes(const kube::Pod& pod) = 0;
  // The bind mounts of `container`'s volumeMounts, in order.
  virtual Result<std::vector<runtime::Mount>> container_mounts(const kube::Pod& pod, const kube::Container& container) = 0;
  // Unmounts and removes the pod's volume directories (never the hostPath contents).
  virtual Status teardown_pod_volumes(const std::string& pod_uid) = 0;
};

// Volumes live under <root-dir>/pods/<uid>/volumes/<plugin>/<name>, as kubelet lays them out
// (plugin = kubernetes.io~empty-dir, ...).
class LocalVolumeManager final : public VolumeManager {
 public:
  explicit LocalVolumeManager(std::string root_dir);
  Status setup_pod_volumes(const kube::Pod& pod) override;
  Result<std::vector<runtime::Mount>> container_mounts(const kube::Pod& pod, const kube::Container& container) override;
  Status teardown_pod_volumes(const std::string& pod_uid) override;

  std::string volume_path(const std::string& pod_uid, const kube::Volume& volume) const;

 private:
  Status setup_volume(const kube::Pod& pod, const kube::Volume& volume);
  std::string root_dir_;
};

}  // namespace nodeagent::volumes
