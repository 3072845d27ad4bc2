// prepare_volume_dir / release_volume_dir (see volume_dir.h).
#include "volumes/payload/volume_dir.h"

#include <sys/stat.h>

#include <filesystem>

namespace nodeagent::volumes {

Status prepare_volume_dir(const std::string& dir, const std::string& context, Mounter* tmpfs) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return internal("create " + dir + ": " + ec.message()).wrap(context);
    if (!tmpfs) ::chmod(dir.c_str(), 0777);
  }
  if (!tmpfs) return ok_status();
  auto mounted = tmpfs->is_mounted(dir);
  if (!mounted.ok()) return mounted.error().wrap(context);
  if (*mounted) return ok_status();
  // No size: the files are a few objects' worth, charged to nobody, as kubelet's default.
  if (auto st = tmpfs->mount_tmpfs(dir, "mode=1777"); !st.ok()) return st.error().wrap(context);
  return ok_status();
}

Status release_volume_dir(const std::string& dir, Mounter& tmpfs) {
  NA_ASSIGN_OR_RETURN(bool mounted, tmpfs.is_mounted(dir));
  if (mounted) return tmpfs.unmount(dir);
  return ok_status();
}

VolumeOwnership pod_volume_ownership(const kube::Pod& pod) {
  VolumeOwnership own;
  if (pod.spec.security_context) own.fs_group = pod.spec.security_context->fs_group;
  return own;
}

}  // namespace nodeagent::volumes
