// The volume plugin interface, after kubelet's VolumePlugin / Mounter / Unmounter: one plugin
// per volume source (volumes/emptydir, volumes/hostpath, ...), chosen by handles() (CanSupport).
// The manager gives each volume its directory <root>/pods/<uid>/volumes/<dir_name()>/<name>;
// host_path() (GetPath) is what containers bind-mount, which for hostPath is not that directory.
#pragma once

#include <memory>
#include <string>

#include "kube/downward_api.h"
#include "kube/object_source.h"
#include "kube/types.h"
#include "util/result.h"
#include "volumes/mount/mounter.h"
#include "volumes/plugin/token_source.h"

namespace nodeagent::volumes {

// What the node gives its plugins (kubelet's VolumeHost): the mount seam, where referenced
// objects come from (the manifest directory or the API server; plugins never know which) and
// the root directory (for node-wide state such as a PV's one mount per node); service account
// tokens once joined to an API server (null standalone).
struct VolumeHost {
  std::shared_ptr<Mounter> mounter;
  const kube::ObjectSource* objects = nullptr;
  std::string root_dir;
  TokenSource* tokens = nullptr;
  // Standalone, the node binds PVCs to PVs itself (volumes/binding); joined to a control plane
  // it must not, and only follows each claim's spec.volumeName.
  bool bind_claims = true;
};

// What a pod's volumes depend on beyond its spec: the downward API's view of the pod (its IPs,
// the node's name and allocatable), for downwardAPI files and resourceFieldRefs.
struct PodVolumeContext {
  kube::DownwardApiContext downward;
};

class VolumePlugin {
 public:
  virtual ~VolumePlugin() = default;
  // kubelet's plugin name, "kubernetes.io/empty-dir".
  virtual std::string name() const = 0;
  // Whether this plugin serves the volume's source.
  virtual bool handles(const kube::Volume& volume) const = 0;
  // Prepares the volume at `dir` (its directory under the pod); idempotent, and called again on
  // each sync of a running pod so that content from objects follows their updates. Errors name
  // the volume.
  [[nodiscard]] virtual Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                                      const PodVolumeContext& ctx) = 0;
  // Undoes set_up for a volume directory found on disk (the pod spec may be gone by then):
  // unmounts what the plugin mounted. The manager removes the directory afterwards.
  [[nodiscard]] virtual Status tear_down(const std::string& dir) = 0;
  // The host path containers bind-mount for this volume.
  virtual std::string host_path(const kube::Volume& volume, const std::string& dir) const = 0;
};

// The directory name of a plugin, as kubelet escapes it: "kubernetes.io/empty-dir" ->
// "kubernetes.io~empty-dir".
inline std::string plugin_dir_name(const std::string& plugin_name) {
  std::string out = plugin_name;
  for (auto& c : out)
    if (c == '/') c = '~';
  return out;
}

}  // namespace nodeagent::volumes
