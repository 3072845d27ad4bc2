// safe_open_sub_path: open beneath the volume, creating missing directories fd-relative.
#include "volumes/subpath/safe_open.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace nodeagent::volumes::subpath {

namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start && path.compare(start, end - start, ".") != 0) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

SafeOpened failed(int err, std::string detail) {
  return SafeOpened{UniqueFd(), SafeOpenError{err, detail + ": " + std::strerror(err)}};
}

// Creates `name` in the directory `parent` and opens what is there now, refusing a symlink or
// anything but a directory (a container may race the mkdirat).
SafeOpened make_dir_at(int parent, const std::string& name, mode_t perm, const std::string& shown) {
  if (::mkdirat(parent, name.c_str(), perm) != 0 && errno != EEXIST) return failed(errno, "mkdirat " + shown);
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return failed(errno, "open created directory " + shown);
  // mkdirat's mode went through the umask; the container is to see `perm`.
  if (::fchmod(fd.get(), perm) != 0) return failed(errno, "chmod " + shown);
  return SafeOpened{std::move(fd), {}};
}

}  // namespace

SafeOpened safe_open_sub_path(const std::string& volume_path, const std::string& sub_path, mode_t perm,
                              Resolver how) {
  // The volume's own path is the agent's (or, for hostPath, the admin's): followed as given.
  UniqueFd root(::open(volume_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return failed(errno, "open volume " + volume_path);
  Opened whole = open_beneath(root.get(), sub_path, how);
  if (whole.error == 0) return SafeOpened{std::move(whole.fd), {}};
  if (whole.error != ENOENT) return failed(whole.error, "open " + sub_path + " in " + volume_path);

  // Something is missing: find the longest existing prefix, then create the rest one by one.
  const auto parts = components(sub_path);
  UniqueFd parent(::openat(root.get(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent.valid()) return failed(errno, "open volume " + volume_path);
  std::string prefix;
  for (const auto& part : parts) {
    prefix += prefix.empty() ? part : "/" + part;
    Opened existing = open_beneath(root.get(), prefix, how);
    if (existing.error == 0) {
      parent = std::move(existing.fd);
      continue;
    }
    if (existing.error != ENOENT) return failed(existing.error, "open " + prefix + " in " + volume_path);
    SafeOpened made = make_dir_at(parent.get(), part, perm, prefix + " in " + volume_path);
    if (!made.ok()) return made;
    parent = std::move(made.fd);
  }
  return SafeOpened{std::move(parent), {}};
}

}  // namespace nodeagent::volumes::subpath
