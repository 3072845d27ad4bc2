// SubPathMounts: safe open, bind through the fd, cleanup found from the layout and mount table.
#include "volumes/subpath/sub_path_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "util/log.h"
#include "volumes/subpath/safe_open.h"

namespace nodeagent::volumes::subpath {

namespace fs = std::filesystem;

namespace {

// What the user is told: kubelet's words, plus why, without the node's paths.
Error user_error(const SubPathRequest& r, int err) {
  const auto what = fmt::format("failed to prepare subPath for volumeMount \"{}\" of container \"{}\"", r.volume_name,
                                r.container_name);
  switch (err) {
    case EXDEV:
      return invalid(fmt::format("{}: subPath \"{}\" is outside the volume (a symlink leads out of it)", what,
                                 r.sub_path));
    case ELOOP:
      return invalid(fmt::format("{}: subPath \"{}\": too many symbolic links, or a link into /proc", what, r.sub_path));
    case ENOTDIR:
      return invalid(fmt::format("{}: subPath \"{}\": a component is not a directory", what, r.sub_path));
    default:
      return internal(fmt::format("{}: subPath \"{}\": {}", what, r.sub_path, std::strerror(err)));
  }
}

bool same_file(int fd, const std::string& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::lstat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// A target of the same kind as the source: bind mounts need a directory on a directory and a
// file on anything else (a file target also takes a device, socket or fifo).
Status make_target(const std::string& target, bool directory) {
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (ec) return internal("create " + fs::path(target).parent_path().string() + ": " + ec.message());
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode) == directory) return ok_status();
    // The subPath changed kind since the last container (a file now, a directory before):
    // the old target is not a mount point (checked by the caller), so it can go.
    if (::remove(target.c_str()) != 0) return errno_error("remove " + target, errno);
  }
  if (directory) {
    if (::mkdir(target.c_str(), 0750) != 0 && errno != EEXIST) return errno_error("mkdir " + target, errno);
    return ok_status();
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) return errno_error("create " + target, errno);
  ::close(fd);
  return ok_status();
}

}  // namespace

SubPathMounts::SubPathMounts(std::string root_dir, std::shared_ptr<Mounter> mounter, Resolver how)
    : paths_(std::move(root_dir)), mounter_(std::move(mounter)), how_(how) {}

Result<std::string> SubPathMounts::prepare(const SubPathRequest& r) {
  auto logger = log::get("volumes");
  struct stat vol {};
  if (::stat(r.volume_path.c_str(), &vol) != 0) {
    logger->warn("pod uid={} volume={}: stat {}: {}", r.pod_uid, r.volume_name, r.volume_path, std::strerror(errno));
    return user_error(r, errno);
  }
  SafeOpened opened = safe_open_sub_path(r.volume_path, r.sub_path, vol.st_mode & 07777, how_);
  if (!opened.ok()) {
    logger->warn("pod uid={} container={} volume={} subPath {}: {}", r.pod_uid, r.container_name, r.volume_name,
                 r.sub_path, opened.failure.detail);
    return user_error(r, opened.failure.error);
  }
  struct stat src {};
  if (::fstat(opened.fd.get(), &src) != 0) return user_error(r, errno);

  const auto target = paths_.volume_subpath_target(r.pod_uid, r.volume_name, r.container_name, r.mount_index);
  NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(target));
  if (mounted) {
    if (same_file(opened.fd.get(), target)) return target;  // the previous attempt's, still right
    NA_RETURN_IF_ERROR(clean_target(target));
  }
  NA_RETURN_IF_ERROR(make_target(target, S_ISDIR(src.st_mode)));
  // The fd, not the path: what was checked is what gets mounted, whatever the container does
  // with the path meanwhile.
  NA_RETURN_IF_ERROR(mounter_->bind_mount(fmt::format("/proc/self/fd/{}", opened.fd.get()), target, false));
  return target;
}

Status SubPathMounts::clean_target(const std::string& target) {
  // A target may have been mounted more than once (a crash between bind and bookkeeping).
  for (int i = 0; i < 16; ++i) {
    NA_ASSIGN_OR_RETURN(bool mounted, mounter_->is_mounted(target));
    if (!mounted) {
      // Only an entry that is no mount point is removed, and never recursively: a failed
      // unmount must not turn into deleting the volume's (or a hostPath's) content.
      if (::remove(target.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + target, errno);
      return ok_status();
    }
    NA_RETURN_IF_ERROR(mounter_->unmount(target));
  }
  return internal("unmount " + target + ": still mounted");
}

Status SubPathMounts::clean_container_dir(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) NA_RETURN_IF_ERROR(clean_target(entry.path().string()));
  if (ec) return internal("list " + dir + ": " + ec.message());
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + dir, errno);
  return ok_status();
}

Status SubPathMounts::clean_container(const std::string& pod_uid, const std::string& container_name) {
  const auto base = paths_.volume_subpaths_dir(pod_uid);
  std::error_code ec;
  if (!fs::exists(base, ec)) return ok_status();
  for (const auto& volume : fs::directory_iterator(base, ec)) {
    const auto dir = volume.path() / container_name;
    if (fs::is_directory(fs::symlink_status(dir, ec))) NA_RETURN_IF_ERROR(clean_container_dir(dir.string()));
    ::rmdir(volume.path().c_str());  // when it was the last container of the volume
  }
  ::rmdir(base.c_str());
  return ok_status();
}

Status SubPathMounts::clean_pod(const std::string& pod_uid) {
  const auto base = paths_.volume_subpaths_dir(pod_uid);
  std::error_code ec;
  if (!fs::exists(base, ec)) return ok_status();
  for (const auto& volume : fs::directory_iterator(base, ec)) {
    for (const auto& container : fs::directory_iterator(volume.path(), ec))
      NA_RETURN_IF_ERROR(clean_container_dir(container.path().string()));
    if (::rmdir(volume.path().c_str()) != 0 && errno != ENOENT) return errno_error("remove " + volume.path().string(), errno);
  }
  if (ec) return internal("list " + base + ": " + ec.message());
  if (::rmdir(base.c_str()) != 0 && errno != ENOENT) return errno_error("remove " + base, errno);
  return ok_status();
}

}  // namespace nodeagent::volumes::subpath
