// persistentVolumeClaim volumes backed by `local` and `hostPath` PVs (kubelet's pvc indirection
// plus its kubernetes.io/local-volume plugin). The claim is resolved to its PV by a
// binding::ClaimResolver (the standalone binder, or the control plane's binding).
//
// Layout (PodStateDir): every PVC volume of a pod is <root>/pods/<uid>/volumes/
// kubernetes.io~local-volume/<volume name>, whatever the PV's kind. kubelet files hostPath PVs
// under kubernetes.io~host-path; here the pod's volume names only the claim, and the manager
// names volume dirs by plugin, so one plugin dir serves both kinds.
//   - Filesystem mode: the dir is a bind mount of the PV's path (a directory: local or hostPath),
//     or, for a `local` PV on a block device, of the device's one mount per node at
//     <root>/plugins/kubernetes.io/local-volume/mounts/<pv> (formatted with fsType, default ext4,
//     only when blkid finds nothing on it). The bind is read-only when the pod's
//     persistentVolumeClaim.readOnly says so. The node mount goes when no pod dir binds it.
//   - Block mode: the dir is a symlink to the device; containers get it through volumeDevices.
// What is mounted is read back from the mount table and the pod dirs, never from memory, so an
// agent restart finds it again and mounts nothing twice. ReadWriteOncePod claims are refused to
// a second pod while one pod's dir holds the PV.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "volumes/binding/claim_resolver.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

class PersistentClaimPlugin final : public VolumePlugin {
 public:
  static constexpr const char* kPluginName = "kubernetes.io/local-volume";

  PersistentClaimPlugin(const VolumeHost& host, std::shared_ptr<binding::ClaimResolver> claims);

  std::string name() const override { return kPluginName; }
  bool handles(const kube::Volume& volume) const override { return volume.persistent_volume_claim.has_value(); }
  [[nodiscard]] Status set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                              const PodVolumeContext& ctx) override;
  [[nodiscard]] Status tear_down(const std::string& dir) override;
  std::string host_path(const kube::Volume&, const std::string& dir) const override { return dir; }

 private:
  // The directory the pod's bind mount shows: the PV's directory, or the node mount of its device.
  [[nodiscard]] Result<std::string> filesystem_source(const kube::PersistentVolume& pv);
  [[nodiscard]] Status set_up_block(const kube::Pod& pod, const binding::BoundClaim& bound, const std::string& dir);
  [[nodiscard]] Status refuse_second_pod(const kube::Pod& pod, const binding::BoundClaim& bound, const std::string& source);
  // Unmounts node mounts of devices that no pod dir binds any more.
  [[nodiscard]] Status release_unused_device_mounts();

  std::shared_ptr<Mounter> mounter_;
  std::string root_dir_;
  std::shared_ptr<binding::ClaimResolver> claims_;
  std::mutex mu_;  // one set-up or tear-down at a time: the checks and the mounts they guard
};

}  // namespace nodeagent::volumes
