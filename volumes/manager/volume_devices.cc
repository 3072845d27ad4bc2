// LocalVolumeManager::container_devices: volumeDevices of Block-mode claims become devices the
// runtime gives the container (kubelet's makeBlockVolumes: "mrw", or "r" for a readOnly claim).
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

#include <fmt/format.h>

#include "volumes/manager/volume_manager.h"

namespace nodeagent::volumes {

Result<std::vector<runtime::Device>> LocalVolumeManager::container_devices(const kube::Pod& pod,
                                                                           const kube::Container& c) {
  std::vector<runtime::Device> devices;
  for (const auto& vd : c.volume_devices) {
    const kube::Volume* volume = nullptr;
    for (const auto& v : pod.spec.volumes)
      if (v.name == vd.name) volume = &v;
    if (!volume) return invalid(fmt::format("volumeDevices \"{}\": no volume of that name", vd.name));
    if (!volume->persistent_volume_claim)
      return invalid(fmt::format("volumeDevices \"{}\": only persistentVolumeClaim volumes can be block devices", vd.name));
    // The plugin's set-up made the volume's path a link to the device (Block-mode claims only).
    const auto path = volume_path(pod.metadata.uid, *volume);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
      return invalid(fmt::format("volumeDevices \"{}\": the claim is not a block volume (volumeMode: Block)", vd.name));
    runtime::Device d;
    d.container_path = vd.device_path;
    d.host_path = path;
    d.type = 'b';
    d.major = major(st.st_rdev);
    d.minor = minor(st.st_rdev);
    d.permissions = volume->persistent_volume_claim->read_only ? "r" : "rwm";
    devices.push_back(std::move(d));
  }
  return devices;
}

}  // namespace nodeagent::volumes
