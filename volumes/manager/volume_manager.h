// Volumes of a pod: set up before its containers start, turned into bind mounts per container,
// torn down after the pod is gone. LocalVolumeManager dispatches each volume to the registered
// VolumePlugin that handles it (volumes/emptydir, hostpath, configmap, secret, downwardapi,
// projected, pvc); a source no plugin handles returns a clear "not supported" error that keeps
// the pod in ContainerCreating.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "util/result.h"
#include "runtime/types.h"
#include "volumes/mount/mounter.h"
#include "volumes/plugin/volume_plugin.h"
#include "volumes/subpath/sub_path_mounts.h"

namespace nodeagent::volumes {

// What a container's mounts depend on beyond the pod: its environment, for subPathExpr.
struct ContainerMountContext {
  std::map<std::string, std::string> env;
};

class VolumeManager {
 public:
  virtual ~VolumeManager() = default;
  // Prepares every volume of the pod (idempotent: called on each sync of a live pod, so that
  // content from ConfigMaps, Secrets and the downward API follows their updates). Errors name
  // the volume.
  virtual Status setup_pod_volumes(const kube::Pod& pod, const PodVolumeContext& ctx) = 0;
  // The bind mounts of `container`'s volumeMounts, in order.
  virtual Result<std::vector<runtime::Mount>> container_mounts(const kube::Pod& pod, const kube::Container& container,
                                                               const ContainerMountContext& ctx) = 0;
  // Unmounts and removes the pod's volume directories (never the hostPath contents).
  virtual Status teardown_pod_volumes(const std::string& pod_uid) = 0;
  // The block devices of `container`'s volumeDevices (Block-mode claims), in order.
  virtual Result<std::vector<runtime::Device>> container_devices(const kube::Pod& pod, const kube::Container& container) = 0;
  // kubelet's eviction message when a disk emptyDir of the pod uses more than its sizeLimit
  // (volumes/emptydir/usage.h); nullopt while all are within their limits.
  virtual std::optional<std::string> empty_dir_over_limit(const kube::Pod& pod) = 0;
};

// Volumes live under <root-dir>/pods/<uid>/volumes/<plugin>/<name>, as kubelet lays them out
// (plugin = kubernetes.io~empty-dir, ...).
class LocalVolumeManager final : public VolumeManager {
 public:
  // The node's plugins (default_plugins()) over the Linux mounter, reading objects from `objects`.
  // Joined to a control plane: `tokens` serves serviceAccountToken projections and claims are
  // not bound by the node (bind_claims false).
  LocalVolumeManager(std::string root_dir, const kube::ObjectSource* objects, TokenSource* tokens = nullptr,
                     bool bind_claims = true);
  // The given plugins, in the order they are asked; `mounter` unmounts volume directories that
  // no registered plugin owns (left by an older agent).
  LocalVolumeManager(std::string root_dir, std::shared_ptr<Mounter> mounter,
                     std::vector<std::unique_ptr<VolumePlugin>> plugins);
  Status setup_pod_volumes(const kube::Pod& pod, const PodVolumeContext& ctx) override;
  Result<std::vector<runtime::Mount>> container_mounts(const kube::Pod& pod, const kube::Container& container,
                                                       const ContainerMountContext& ctx) override;
  Status teardown_pod_volumes(const std::string& pod_uid) override;
  Result<std::vector<runtime::Device>> container_devices(const kube::Pod& pod, const kube::Container& container) override;
  std::optional<std::string> empty_dir_over_limit(const kube::Pod& pod) override;

  // kubelet's setupDataDirs: the root dir becomes a shared mount, so that HostToContainer and
  // Bidirectional propagation can reach containers (the host's own mounts are left alone).
  [[nodiscard]] Status prepare_root_dir();
  // Whether "rro" can be asked of the runtime (default: probed, recursive_read_only_supported()).
  void set_recursive_read_only_supported(bool supported) { rro_supported_ = supported; }

  // What containers bind-mount for the volume ("" when no plugin handles it).
  std::string volume_path(const std::string& pod_uid, const kube::Volume& volume) const;

 private:
  VolumePlugin* plugin_for(const kube::Volume& volume) const;
  VolumePlugin* plugin_named(const std::string& dir_name) const;
  std::string volume_dir(const std::string& pod_uid, const VolumePlugin& plugin, const kube::Volume& volume) const;
  [[nodiscard]] Status setup_volume(const kube::Pod& pod, const kube::Volume& volume, const PodVolumeContext& ctx);
  Result<runtime::Mount> container_mount(const kube::Pod& pod, const kube::Container& container, size_t index,
                                         const ContainerMountContext& ctx);

  std::string root_dir_;
  std::shared_ptr<Mounter> mounter_;
  std::vector<std::unique_ptr<VolumePlugin>> plugins_;
  subpath::SubPathMounts subpaths_;
  std::optional<bool> rro_supported_;
};

// Every plugin of the node, over the host's mounter and object source.
std::vector<std::unique_ptr<VolumePlugin>> default_plugins(const VolumeHost& host);

}  // namespace nodeagent::volumes
