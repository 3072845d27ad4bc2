// PV users from the pod dirs (see pv_usage.h).
#include "volumes/pvc/pv_usage.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "util/mountinfo.h"
#include "util/pod_state_dir.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

Result<SourceId> source_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error("stat " + path, errno);
  if (S_ISBLK(st.st_mode)) return SourceId{true, static_cast<unsigned long>(st.st_rdev), 0};
  return SourceId{false, static_cast<unsigned long>(st.st_dev), static_cast<unsigned long>(st.st_ino)};
}

std::vector<VolumeUser> volume_users(const std::string& root_dir, const std::string& plugin_dir, const SourceId& source) {
  PodStateDir paths(root_dir);
  std::vector<VolumeUser> users;
  std::error_code ec;
  for (const auto& pod : fs::directory_iterator(paths.pods_dir(), ec)) {
    const auto uid = pod.path().filename().string();
    if (!valid_pod_uid(uid)) continue;
    const auto dir = paths.volumes_dir(uid) + "/" + plugin_dir;
    std::error_code ec2;
    for (const auto& vol : fs::directory_iterator(dir, ec2)) {
      const auto path = vol.path().string();
      std::error_code ec3;
      // A filesystem volume counts only while mounted: an empty dir left by a failed set-up
      // is nobody's.
      if (!source.block && !fs::is_symlink(vol.symlink_status(ec3)) && !is_mount_point(path)) continue;
      auto id = source_id(path);
      if (id.ok() && *id == source) users.push_back({uid, path});
    }
  }
  return users;
}

}  // namespace nodeagent::volumes
