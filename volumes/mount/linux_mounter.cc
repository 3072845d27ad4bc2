// LinuxMounter: the only place in volumes/ that calls mount(2).
#include "volumes/mount/linux_mounter.h"

#include <sys/mount.h>

#include <cerrno>
#include <fstream>

namespace nodeagent::volumes {

std::string mountinfo_mount_point(const std::string& line) {
  // Fields: id parent major:minor root mount-point options ...
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = line.find(' ', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  auto end = line.find(' ', pos);
  std::string raw = line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 3 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '3') {
      out += static_cast<char>((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0'));
      i += 3;
    } else {
      out += raw[i];
    }
  }
  return out;
}

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
  std::ifstream mounts("/proc/self/mountinfo");
  if (!mounts) return internal("cannot read /proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line))
    if (mountinfo_mount_point(line) == target) return true;
  return false;
}

}  // namespace nodeagent::volumes
