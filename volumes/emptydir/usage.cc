// disk_usage: an fts-free walk with lstat, on one device.
#include "volumes/emptydir/usage.h"

#include <sys/stat.h>

#include <filesystem>

#include <fmt/format.h>

namespace nodeagent::volumes {

namespace fs = std::filesystem;

Result<int64_t> disk_usage(const std::string& dir) {
  struct stat top {};
  if (::lstat(dir.c_str(), &top) != 0) return errno_error("stat " + dir, errno);
  int64_t bytes = static_cast<int64_t>(top.st_blocks) * 512;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;  // gone meanwhile
    if (st.st_dev != top.st_dev) {  // a mount inside the volume is not the volume's disk
      it.disable_recursion_pending();
      continue;
    }
    bytes += static_cast<int64_t>(st.st_blocks) * 512;
  }
  if (ec) return internal("walk " + dir + ": " + ec.message());
  return bytes;
}

bool is_limited_disk_empty_dir(const kube::Volume& v) {
  return v.empty_dir && v.empty_dir->medium != "Memory" && v.empty_dir->size_limit;
}

bool has_limited_empty_dir(const kube::Pod& pod) {
  for (const auto& v : pod.spec.volumes)
    if (is_limited_disk_empty_dir(v)) return true;
  return false;
}

std::string empty_dir_eviction_message(const std::string& volume, const kube::Quantity& limit) {
  return fmt::format("Usage of EmptyDir volume \"{}\" exceeds the limit \"{}\". ", volume, kube::to_string(limit));
}

}  // namespace nodeagent::volumes
