// flock(2) on /run/xtables.lock, polled so that a stuck holder turns into an error, not a hang.
#include "network/iptables/xtables_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace nodeagent::network::iptables {

Result<XtablesLock> XtablesLock::acquire(const std::string& path, std::chrono::milliseconds timeout) {
  int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("open " + path, errno);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd);
      return errno_error("flock " + path, err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return Error{ErrorCode::kDeadlineExceeded, "timed out waiting for " + path};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return XtablesLock(fd);
}

XtablesLock& XtablesLock::operator=(XtablesLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

XtablesLock::~XtablesLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last fd releases the flock
}

}  // namespace nodeagent::network::iptables
