// remove_tree_unless_mounted: the mount table first, then the tree, on one device only.
#include "util/remove_tree.h"

#include <sys/stat.h>

#include <filesystem>

#include "util/mountinfo.h"

namespace nodeagent {

namespace fs = std::filesystem;

namespace {

bool at_or_under(const std::string& mount_point, const std::string& root) {
  if (mount_point.size() < root.size() || mount_point.compare(0, root.size(), root) != 0) return false;
  return mount_point.size() == root.size() || mount_point[root.size()] == '/';
}

// A mount of another filesystem that appeared after the table was read still shows as a change
// of device: the walk stops there rather than descend into it.
Status check_one_device(const fs::path& root) {
  struct stat top {};
  if (::lstat(root.c_str(), &top) != 0) return ok_status();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && st.st_dev != top.st_dev)
      return failed_precondition(it->path().string() + " is on another filesystem (a mount point): not removed");
  }
  return ok_status();
}

}  // namespace

Status remove_tree_unless_mounted(const std::string& path, const std::string& mountinfo_path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return ok_status();
  // The mount table names real paths: resolve the root's symlinks (a /tmp that is a link).
  auto real = fs::canonical(path, ec);
  const auto root = (ec ? fs::path(path).lexically_normal() : real).string();
  NA_ASSIGN_OR_RETURN(auto mounts, read_mountinfo(mountinfo_path));
  for (const auto& m : mounts)
    if (at_or_under(m.mount_point, root)) return failed_precondition(m.mount_point + " is still mounted: not removed");
  NA_RETURN_IF_ERROR(check_one_device(root));
  fs::remove_all(root, ec);
  if (ec) return internal("remove " + root + ": " + ec.message());
  return ok_status();
}

}  // namespace nodeagent
