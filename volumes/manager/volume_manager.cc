#include "volumes/manager/volume_manager.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "util/mountinfo.h"

namespace nodeagent::volumes {

namespace fs = std::filesystem;

namespace {

std::string plugin_dir(const kube::Volume& v) {
  if (v.empty_dir) return "kubernetes.io~empty-dir";
  if (v.host_path) return "kubernetes.io~host-path";
  return "unsupported";
}

std::string source_name(const kube::Volume& v) {
  if (v.config_map) return "configMap";
  if (v.secret) return "secret";
  if (v.downward_api) return "downwardAPI";
  if (v.projected) return "projected";
  if (v.persistent_volume_claim) return "persistentVolumeClaim";
  if (v.unsupported) return v.unsupported->type;
  return "unknown";
}

bool is_mounted(const std::string& path) {
  return is_mount_point(path);
}

// hostPath type checks, as kubelet's hostpath plugin does them.
Status check_host_path(const kube::HostPathVolumeSource& hp) {
  std::error_code ec;
  auto st = fs::status(hp.path, ec);
  const auto& t = hp.type;
  if (t.empty()) return ok_status();
  if (t == "DirectoryOrCreate") {
    if (!fs::exists(st)) {
      fs::create_directories(hp.path, ec);
      if (ec) return internal("hostPath " + hp.path + ": " + ec.message());
      ::chmod(hp.path.c_str(), 0755);
      return ok_status();
    }
    if (!fs::is_directory(st)) return invalid("hostPath type check failed: " + hp.path + " is not a directory");
    return ok_status();
  }
  if (t == "FileOrCreate") {
    if (!fs::exists(st)) {
      fs::create_directories(fs::path(hp.path).parent_path(), ec);
      std::ofstream(hp.path).close();
      ::chmod(hp.path.c_str(), 0644);
      return ok_status();
    }
    if (!fs::is_regular_file(st)) return invalid("hostPath type check failed: " + hp.path + " is not a file");
    return ok_status();
  }
  struct Check {
    const char* type;
    bool (*ok)(fs::file_status);
    const char* what;
  };
  static const Check checks[] = {
      {"Directory", [](fs::file_status s) { return fs::is_directory(s); }, "directory"},
      {"File", [](fs::file_status s) { return fs::is_regular_file(s); }, "file"},
      {"Socket", [](fs::file_status s) { return fs::is_socket(s); }, "socket file"},
      {"CharDevice", [](fs::file_status s) { return fs::is_character_file(s); }, "character device"},
      {"BlockDevice", [](fs::file_status s) { return fs::is_block_file(s); }, "block device"},
  };
  for (const auto& c : checks) {
    if (t != c.type) continue;
    if (!c.ok(st)) return invalid(fmt::format("hostPath type check failed: {} is not a {}", hp.path, c.what));
    return ok_status();
  }
  return invalid(t + " is an invalid volume type");  // kubelet's words; validation refuses it first
}

}  // namespace

LocalVolumeManager::LocalVolumeManager(std::string root_dir) : root_dir_(std::move(root_dir)) {}

std::string LocalVolumeManager::volume_path(const std::string& pod_uid, const kube::Volume& volume) const {
  if (volume.host_path) return volume.host_path->path;
  return fmt::format("{}/pods/{}/volumes/{}/{}", root_dir_, pod_uid, plugin_dir(volume), volume.name);
}

Status LocalVolumeManager::setup_volume(const kube::Pod& pod, const kube::Volume& v) {
  if (v.host_path) return check_host_path(*v.host_path);
  if (!v.empty_dir)
    return invalid(fmt::format("volume \"{}\": {} volumes are not supported by this agent yet", v.name, source_name(v)));
  auto path = volume_path(pod.metadata.uid, v);
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return internal(fmt::format("volume \"{}\": {}", v.name, ec.message()));
  if (v.empty_dir->medium == "Memory" && !is_mounted(path)) {
    std::string opts = "mode=0777";
    if (v.empty_dir->size_limit && v.empty_dir->size_limit->value() > 0)
      opts += ",size=" + std::to_string(v.empty_dir->size_limit->value());
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0)
      return errno_error(fmt::format("volume \"{}\": mount tmpfs at {}", v.name, path), errno);
  } else if (!v.empty_dir->medium.empty() && v.empty_dir->medium != "Memory") {
    return invalid(fmt::format("volume \"{}\": emptyDir medium \"{}\" is not supported", v.name, v.empty_dir->medium));
  }
  // emptyDir is world-writable (0777), so any container user can write to it.
  ::chmod(path.c_str(), 0777);
  if (pod.spec.security_context && pod.spec.security_context->fs_group) {
    // fsGroup: the group owns the directory and new files inherit it (setgid).
    if (::chown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(*pod.spec.security_context->fs_group)) != 0)
      return errno_error(fmt::format("volume \"{}\": chown", v.name), errno);
    ::chmod(path.c_str(), 02777);
  }
  return ok_status();
}

Status LocalVolumeManager::setup_pod_volumes(const kube::Pod& pod) {
  for (const auto& v : pod.spec.volumes) NA_RETURN_IF_ERROR(setup_volume(pod, v));
  return ok_status();
}

Result<std::vector<runtime::Mount>> LocalVolumeManager::container_mounts(const kube::Pod& pod, const kube::Container& c) {
  std::vector<runtime::Mount> mounts;
  for (const auto& vm : c.volume_mounts) {
    const kube::Volume* volume = nullptr;
    for (const auto& v : pod.spec.volumes)
      if (v.name == vm.name) volume = &v;
    if (!volume) return invalid(fmt::format("volumeMounts \"{}\": no volume of that name", vm.name));
    runtime::Mount m;
    m.container_path = vm.mount_path;
    m.host_path = volume_path(pod.metadata.uid, *volume);
    if (!vm.sub_path.empty()) {
      auto sub = fs::path(vm.sub_path).lexically_normal();
      if (sub.is_absolute() || *sub.begin() == "..")
        return invalid(fmt::format("volumeMounts \"{}\": subPath \"{}\" must be a relative path inside the volume", vm.name, vm.sub_path));
      m.host_path = (fs::path(m.host_path) / sub).string();
      std::error_code ec;
      if (!fs::exists(m.host_path)) {
        fs::create_directories(m.host_path, ec);
        ::chmod(m.host_path.c_str(), 0777);
      }
    }
    m.readonly = vm.read_only;
    auto prop = vm.mount_propagation.value_or("None");
    if (prop == "HostToContainer") m.propagation = "rslave";
    else if (prop == "Bidirectional") m.propagation = "rshared";
    mounts.push_back(std::move(m));
  }
  return mounts;
}

Status LocalVolumeManager::teardown_pod_volumes(const std::string& pod_uid) {
  auto dir = fmt::format("{}/pods/{}/volumes", root_dir_, pod_uid);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return ok_status();
  // Unmount Memory emptyDirs before removing anything: never delete through a mount.
  for (const auto& plugin : fs::directory_iterator(dir, ec)) {
    for (const auto& vol : fs::directory_iterator(plugin.path(), ec)) {
      auto path = vol.path().string();
      if (is_mounted(path) && ::umount2(path.c_str(), MNT_DETACH) != 0)
        return errno_error("unmount " + path, errno);
    }
  }
  fs::remove_all(dir, ec);
  if (ec) return internal("remove " + dir + ": " + ec.message());
  return ok_status();
}

}  // namespace nodeagent::volumes
