// Unix socket path preparation (see socket_path.h).
#include "agent/api/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nodeagent::api {

Status make_private_parent_dir(const std::string& socket_path) {
  std::filesystem::path parent = std::filesystem::path(socket_path).parent_path();
  if (parent.empty()) return ok_status();
  std::filesystem::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0) continue;
    if (errno != EEXIST) return errno_error("create socket directory " + partial.string(), errno);
  }
  struct stat st {};
  if (::stat(parent.c_str(), &st) != 0) return errno_error("stat " + parent.string(), errno);
  if (!S_ISDIR(st.st_mode)) return Error{ErrorCode::kFailedPrecondition, parent.string() + " is not a directory"};
  return ok_status();
}

bool socket_answers(const std::string& socket_path) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

Status remove_stale_socket(const std::string& socket_path) {
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok_status();
    return errno_error("stat " + socket_path, errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Error{ErrorCode::kFailedPrecondition, socket_path + " exists and is not a socket"};
  }
  if (socket_answers(socket_path)) {
    return Error{ErrorCode::kAlreadyExists, "another server is listening on " + socket_path};
  }
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) {
    return errno_error("remove stale socket " + socket_path, errno);
  }
  return ok_status();
}

}  // namespace nodeagent::api
