#include "probes/handlers/netns_sockets.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/log.h"

namespace nodeagent::probes {

NetnsSockets::~NetnsSockets() {
  for (auto& [path, open] : open_) ::close(open.fd);
  if (self_fd_ >= 0) ::close(self_fd_);
}

Result<int> NetnsSockets::netns_fd(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error("network namespace " + path, errno);
  auto it = open_.find(path);
  if (it != open_.end() && it->second.ino == st.st_ino) return it->second.fd;
  if (it != open_.end()) {
    ::close(it->second.fd);
    open_.erase(it);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("network namespace " + path, errno);
  open_[path] = {fd, st.st_ino};
  return fd;
}

void NetnsSockets::forget(const std::string& path) {
  auto it = open_.find(path);
  if (it == open_.end()) return;
  ::close(it->second.fd);
  open_.erase(it);
}

Result<int> NetnsSockets::tcp_socket(const std::string& netns_path, int family) {
  const int type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
  if (self_fd_ < 0) {
    self_fd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self_fd_ < 0) return errno_error("own network namespace", errno);
    struct stat st {};
    ::fstat(self_fd_, &st);
    self_ino_ = st.st_ino;
  }
  if (netns_path.empty()) {
    int s = ::socket(family, type, 0);
    if (s < 0) return errno_error("socket", errno);
    return s;
  }
  NA_ASSIGN_OR_RETURN(int ns, netns_fd(netns_path));
  if (open_[netns_path].ino == self_ino_) {  // hostNetwork, or a test's shared namespace
    int s = ::socket(family, type, 0);
    if (s < 0) return errno_error("socket", errno);
    return s;
  }
  if (::setns(ns, CLONE_NEWNET) != 0) return errno_error("setns " + netns_path, errno);
  int s = ::socket(family, type, 0);
  const int socket_errno = errno;
  if (::setns(self_fd_, CLONE_NEWNET) != 0) {
    // The loop thread would go on in a pod's namespace: nothing it does after is right.
    log::get("probes")->critical("cannot return to the agent's network namespace: errno {}", errno);
    std::abort();
  }
  if (s < 0) return errno_error("socket in " + netns_path, socket_errno);
  return s;
}

}  // namespace nodeagent::probes
