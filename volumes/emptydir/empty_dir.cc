// EmptyDirPlugin: directory, tmpfs for medium Memory, mode and fsGroup.
#include "volumes/emptydir/empty_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "kube/qos.h"
#include "runtime/cgroups/resource_config.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

EmptyDirPlugin::EmptyDirPlugin(std::shared_ptr<Mounter> mounter) : mounter_(std::move(mounter)) {}

int64_t memory_empty_dir_size(const kube::Pod& pod, const kube::Volume& v, int64_t node_allocatable_memory) {
  int64_t size = node_allocatable_memory;
  const auto pod_limit =
      runtime::cgroups::resource_config_for_pod(pod.spec, kube::qos_class(pod)).memory_limit_bytes;
  if (pod_limit > 0 && (size <= 0 || pod_limit <= size)) size = pod_limit;
  if (v.empty_dir && v.empty_dir->size_limit) {
    const auto limit = v.empty_dir->size_limit->value();
    if (limit > 0 && (size <= 0 || limit <= size)) size = limit;
  }
  return size;
}

Status EmptyDirPlugin::set_up(const kube::Pod& pod, const kube::Volume& v, const std::string& dir,
                              const PodVolumeContext& ctx) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return internal(fmt::format("volume \"{}\": {}", v.name, ec.message()));
  const auto& medium = v.empty_dir->medium;
  if (medium == "Memory") {
    auto mounted = mounter_->is_mounted(dir);
    if (!mounted.ok()) return mounted.error().wrap(fmt::format("volume \"{}\"", v.name));
    if (!*mounted) {
      std::string opts = "mode=0777";
      if (auto size = memory_empty_dir_size(pod, v, ctx.downward.node_allocatable_memory_bytes); size > 0)
        opts += ",size=" + std::to_string(size);
      if (auto st = mounter_->mount_tmpfs(dir, opts); !st.ok())
        return st.error().wrap(fmt::format("volume \"{}\"", v.name));
    }
  } else if (!medium.empty()) {
    return invalid(fmt::format("volume \"{}\": emptyDir medium \"{}\" is not supported", v.name, medium));
  }
  // emptyDir is world-writable (0777), so any container user can write to it.
  ::chmod(dir.c_str(), 0777);
  if (pod.spec.security_context && pod.spec.security_context->fs_group) {
    // fsGroup: the group owns the directory and new files inherit it (setgid).
    if (::chown(dir.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(*pod.spec.security_context->fs_group)) != 0)
      return errno_error(fmt::format("volume \"{}\": chown", v.name), errno);
    ::chmod(dir.c_str(), 02777);
  }
  return ok_status();
}

Status EmptyDirPlugin::tear_down(const std::string& dir) {
  // Unmount a Memory emptyDir before the manager removes anything: never delete through a mount.
  NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(dir));
  if (mounted) return mounter_->unmount(dir);
  return ok_status();
}

}  // namespace nodeagent::volumes
