// Mount helpers for pod namespace files (see ns_mounts.h).
#include "runtime/sandbox/ns_mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "util/mountinfo.h"

namespace nodeagent::runtime::sandbox {
namespace {

bool is_at_or_below(const std::string& path, const std::string& dir) {
  if (path == dir) return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

// A bind mount of an nsfs file must not land in a mount that is a peer of mounts in other mount
// namespaces that could receive it back (the kernel refuses loops with EINVAL for mount
// namespace files, and for the others the copies pin the namespace alive in places we never
// unmount). So, like `ip netns` and CNI do for /run/netns, the directory becomes a mount of its
// own (a bind mount onto itself, made private so it leaves the parent's peer group) and is then marked
// shared: mount namespaces cloned later (runc's container setup, `ip netns exec`) receive our
// later mounts AND our unmounts as slaves, so removing a sandbox really frees its namespaces.
Status make_shared_mount_of_its_own(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal("create " + dir + ": " + ec.message());
  NA_ASSIGN_OR_RETURN(auto existing, mounts_under(dir));
  const bool already_a_mount = std::find(existing.begin(), existing.end(), dir) != existing.end();
  if (!already_a_mount) {
    if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return errno_error("bind-mount " + dir + " onto itself", errno);
    // A bind of a dir in a shared mount (the root dir is rshared, as kubelet makes it) joins
    // that mount's peer group: private first, so that the shared mark below starts a group of
    // its own and nsfs mounts here are not copied onto the root dir's mount.
    if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
      return errno_error("make " + dir + " a private mount", errno);
  }
  if (::mount(nullptr, dir.c_str(), nullptr, MS_SHARED | MS_REC, nullptr) != 0) {
    return errno_error("make " + dir + " a shared mount", errno);
  }
  return ok_status();
}

bool is_namespace_mount(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  return static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

Status bind_namespace(const std::string& ns_file, const std::string& target) {
  const int fd = ::open(target.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return errno_error("create mount point " + target, errno);
  ::close(fd);
  if (::mount(ns_file.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return errno_error("bind-mount " + ns_file + " on " + target, errno);
  }
  return ok_status();
}

Result<std::vector<std::string>> mounts_under(const std::string& dir) {
  NA_ASSIGN_OR_RETURN(auto mounts, read_mountinfo());
  std::vector<std::string> found;
  for (auto& m : mounts) {
    if (is_at_or_below(m.mount_point, dir)) found.push_back(std::move(m.mount_point));
  }
  // Deepest first, and later duplicates (stacked mounts) come out too.
  std::stable_sort(found.begin(), found.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return found;
}

Status unmount_all_under(const std::string& dir) {
  // Stacked mounts show up once per layer; loop until the table is clean (bounded).
  for (int round = 0; round < 16; ++round) {
    NA_ASSIGN_OR_RETURN(auto mounts, mounts_under(dir));
    if (mounts.empty()) return ok_status();
    for (const auto& m : mounts) {
      if (::umount2(m.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return errno_error("unmount " + m, errno);
      }
    }
  }
  return internal("unmount under " + dir + ": mounts keep coming back");
}

unsigned long namespace_inode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<unsigned long>(st.st_ino);
}

}  // namespace nodeagent::runtime::sandbox
