// PersistentClaimPlugin: local and hostPath PVs for pods (see persistent_claim_plugin.h).
#include "volumes/pvc/persistent_claim_plugin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "util/pod_state_dir.h"
#include "volumes/hostpath/host_path.h"
#include "volumes/pvc/pv_usage.h"
#include "volumes/pvc/safe_format.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultFsType = "ext4";  // the local plugin's default

bool has_mode(const std::vector<std::string>& modes, const char* mode) {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

// The PV's path on this node (local or hostPath).
Result<std::string> pv_path(const kube::PersistentVolume& pv) {
  if (pv.spec.local) return pv.spec.local->path;
  if (pv.spec.host_path) return pv.spec.host_path->path;
  return invalid(fmt::format("PV {}: only local and hostPath PersistentVolumes can be used on this node", pv.metadata.name));
}

// Removes an empty directory; a mount point or a non-empty directory is an error, never removed.
Status remove_empty_dir(const std::string& dir) {
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + dir, errno);
  return ok_status();
}

// Unmounts `dir` until nothing is mounted there (a racing double bind leaves two layers).
Status unmount_all(Mounter& mounter, const std::string& dir) {
  for (int i = 0; i < 8; ++i) {
    NA_ASSIGN_OR_RETURN(bool mounted, mounter.is_mounted(dir));
    if (!mounted) return ok_status();
    NA_RETURN_IF_ERROR(mounter.unmount(dir));
  }
  return internal(dir + ": still mounted after 8 unmounts");
}

}  // namespace

PersistentClaimPlugin::PersistentClaimPlugin(const VolumeHost& host, std::shared_ptr<binding::ClaimResolver> claims)
    : mounter_(host.mounter), root_dir_(host.root_dir), claims_(std::move(claims)) {}

Result<std::string> PersistentClaimPlugin::filesystem_source(const kube::PersistentVolume& pv) {
  if (pv.spec.host_path) {
    NA_RETURN_IF_ERROR(check_host_path(*pv.spec.host_path));
    return pv.spec.host_path->path;
  }
  NA_ASSIGN_OR_RETURN(auto path, pv_path(pv));
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (fs::is_directory(st)) return path;
  if (!fs::is_block_file(st)) {
    if (!fs::exists(st)) return not_found(fmt::format("path \"{}\" does not exist", path));
    return invalid("only directory and block device are supported");
  }
  // A device: one mount per node (kubelet's MountDevice), then each pod binds it.
  if (!valid_pv_name(pv.metadata.name)) return invalid(fmt::format("PV name \"{}\" is not a valid name", pv.metadata.name));
  const auto global = PodStateDir(root_dir_).plugin_global_mount(kPluginName, pv.metadata.name);
  NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(global));
  if (mounted) return global;
  fs::create_directories(global, ec);
  if (ec) return internal("create " + global + ": " + ec.message());
  ::chmod(global.c_str(), 0750);
  const auto fstype = pv.spec.local->fs_type.value_or("").empty() ? kDefaultFsType : *pv.spec.local->fs_type;
  std::vector<std::string> options = {"defaults"};
  options.insert(options.end(), pv.spec.mount_options.begin(), pv.spec.mount_options.end());
  if (auto st2 = format_and_mount(*mounter_, path, global, fstype, options); !st2.ok()) {
    remove_empty_dir(global).ignore_error();
    return internal(fmt::format("local: failed to mount device {} at {} (fstype: {}), error {}", path, global, fstype,
                                st2.error().message));
  }
  return global;
}

Status PersistentClaimPlugin::refuse_second_pod(const kube::Pod& pod, const binding::BoundClaim& bound,
                                                const std::string& source) {
  if (!has_mode(bound.claim.spec.access_modes, "ReadWriteOncePod")) return ok_status();
  NA_ASSIGN_OR_RETURN(auto id, source_id(source));
  for (const auto& user : volume_users(root_dir_, plugin_dir_name(kPluginName), id)) {
    if (user.pod_uid == pod.metadata.uid) continue;
    // The scheduler's VolumeRestrictions words; a node on its own is the only one to check.
    return invalid(fmt::format(
        "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode "
        "(claim {}/{}, volume {}, in use by pod uid {})",
        bound.claim.metadata.namespace_, bound.claim.metadata.name, bound.volume.metadata.name, user.pod_uid));
  }
  return ok_status();
}

Status PersistentClaimPlugin::set_up_block(const kube::Pod& pod, const binding::BoundClaim& bound, const std::string& dir) {
  NA_ASSIGN_OR_RETURN(auto path, pv_path(bound.volume));
  std::error_code ec;
  if (!fs::is_block_file(fs::status(path, ec)))
    return invalid(fmt::format("PV {}: volumeMode Block needs a block device, and {} is not one", bound.volume.metadata.name, path));
  if (fs::is_symlink(fs::symlink_status(dir, ec)) && fs::read_symlink(dir, ec) == path) return ok_status();
  NA_RETURN_IF_ERROR(refuse_second_pod(pod, bound, path));
  fs::create_directories(fs::path(dir).parent_path(), ec);
  if (ec) return internal("create " + fs::path(dir).parent_path().string() + ": " + ec.message());
  if (::unlink(dir.c_str()) != 0 && errno != ENOENT) return errno_error("replace " + dir, errno);
  if (::symlink(path.c_str(), dir.c_str()) != 0) return errno_error("symlink " + dir + " -> " + path, errno);
  return ok_status();
}

Status PersistentClaimPlugin::set_up(const kube::Pod& pod, const kube::Volume& volume, const std::string& dir,
                                     const PodVolumeContext&) {
  auto fail = [&](const Error& e) { return e.wrap(fmt::format("volume \"{}\"", volume.name)); };
  const auto& source = *volume.persistent_volume_claim;
  auto bound = claims_->resolve(pod.metadata.namespace_, source.claim_name);
  if (!bound.ok()) return fail(bound.error());

  std::lock_guard lock(mu_);
  if (bound->claim.spec.volume_mode == "Block") {
    if (auto st = set_up_block(pod, *bound, dir); !st.ok()) return fail(st.error());
    return ok_status();
  }
  // Already set up (this agent or the one before it): nothing to mount again.
  auto mounted = mounter_->is_mounted(dir);
  if (!mounted.ok()) return fail(mounted.error());
  if (*mounted) return ok_status();

  auto from = filesystem_source(bound->volume);
  if (!from.ok()) return fail(from.error().wrap("PV " + bound->volume.metadata.name));
  if (auto st = refuse_second_pod(pod, *bound, *from); !st.ok()) return fail(st.error());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(internal("create " + dir + ": " + ec.message()));
  ::chmod(dir.c_str(), 0750);
  if (auto st = mounter_->bind_mount(*from, dir, source.read_only); !st.ok()) return fail(st.error());
  return ok_status();
}

Status PersistentClaimPlugin::release_unused_device_mounts() {
  const auto mounts = PodStateDir(root_dir_).plugin_mounts_dir(kPluginName);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(mounts, ec)) {
    const auto global = entry.path().string();
    NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(global));
    if (mounted) {
      auto id = source_id(global);
      if (!id.ok() || !volume_users(root_dir_, plugin_dir_name(kPluginName), *id).empty()) continue;
      NA_RETURN_IF_ERROR(unmount_all(*mounter_, global));
    }
    remove_empty_dir(global).ignore_error();  // a non-empty unmounted dir is left for the operator
  }
  return ok_status();
}

Status PersistentClaimPlugin::tear_down(const std::string& dir) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(dir, ec))) {  // Block mode: the link only, never the device
    if (::unlink(dir.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + dir, errno);
    return ok_status();
  }
  NA_RETURN_IF_ERROR(unmount_all(*mounter_, dir));
  // Unmounted now: what is left in the dir (if anything) is the node's, and the manager may
  // remove it.
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT && errno != ENOTEMPTY) return errno_error("remove " + dir, errno);
  return release_unused_device_mounts();
}

}  // namespace nodeagent::volumes
