// LinuxMounter: the only place in volumes/ that calls mount(2).
#include "volumes/mount/linux_mounter.h"

#include <sys/mount.h>

#include <cerrno>

#include "util/mountinfo.h"

namespace nodeagent::volumes {

Status LinuxMounter::mount_tmpfs(const std::string& target, const std::string& options) {
  if (::mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
    return errno_error("mount tmpfs at " + target, errno);
  return ok_status();
}

Status LinuxMounter::bind_mount(const std::string& source, const std::string& target, bool read_only) {
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return errno_error("bind mount " + source + " at " + target, errno);
  // MS_RDONLY is ignored on the first MS_BIND call: read-only takes a remount.
  if (read_only && ::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
    int err = errno;
    (void)::umount2(target.c_str(), MNT_DETACH);
    return errno_error("remount " + target + " read-only", err);
  }
  return ok_status();
}

Status LinuxMounter::unmount(const std::string& target) {
  if (::umount2(target.c_str(), MNT_DETACH) != 0) return errno_error("unmount " + target, errno);
  return ok_status();
}

Result<bool> LinuxMounter::is_mounted(const std::string& target) {
  NA_ASSIGN_OR_RETURN(auto mounts, read_mountinfo());
  for (const auto& m : mounts)
    if (m.mount_point == target) return true;
  return false;
}

}  // namespace nodeagent::volumes
