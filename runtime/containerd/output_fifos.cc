// Exec output FIFOs (see output_fifos.h).
#include "runtime/containerd/output_fifos.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <utility>

namespace nodeagent::runtime::ctd {
namespace {

Result<int> make_and_open(const std::string& path) {
  ::unlink(path.c_str());  // a leftover of a crashed run with the same name
  if (::mkfifo(path.c_str(), 0600) != 0) return errno_error("mkfifo " + path, errno);
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    ::unlink(path.c_str());
    return errno_error("open " + path, err);
  }
  return fd;
}

}  // namespace

Result<OutputFifos> OutputFifos::create(const std::string& dir, const std::string& name, bool with_stderr) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal("create exec fifo dir " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  std::string out_path = dir + "/" + name + ".stdout";
  std::string err_path = dir + "/" + name + ".stderr";
  NA_ASSIGN_OR_RETURN(int out_fd, make_and_open(out_path));
  if (!with_stderr) return OutputFifos(out_path, "", out_fd, -1);
  auto err_fd = make_and_open(err_path);
  if (!err_fd.ok()) {
    ::close(out_fd);
    ::unlink(out_path.c_str());
    return err_fd.error();
  }
  return OutputFifos(out_path, err_path, out_fd, *err_fd);
}

OutputFifos::OutputFifos(std::string stdout_path, std::string stderr_path, int stdout_fd, int stderr_fd)
    : stdout_path_(std::move(stdout_path)), stderr_path_(std::move(stderr_path)),
      stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {}

OutputFifos::OutputFifos(OutputFifos&& other) noexcept
    : stdout_path_(std::move(other.stdout_path_)), stderr_path_(std::move(other.stderr_path_)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)), stderr_fd_(std::exchange(other.stderr_fd_, -1)) {
  other.stdout_path_.clear();
  other.stderr_path_.clear();
}

OutputFifos::~OutputFifos() {
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
  if (!stdout_path_.empty()) ::unlink(stdout_path_.c_str());
  if (!stderr_path_.empty()) ::unlink(stderr_path_.c_str());
}

void OutputFifos::pump(const OutputFn& on_output, int cancel_fd) {
  bool open[2] = {stdout_fd_ >= 0, stderr_fd_ >= 0};
  char buf[16384];
  while (open[0] || open[1]) {
    pollfd fds[3] = {{open[0] ? stdout_fd_ : -1, POLLIN, 0}, {open[1] ? stderr_fd_ : -1, POLLIN, 0},
                     {cancel_fd, POLLIN, 0}};
    int n = ::poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || fds[i].revents == 0) continue;
      // Drain what is there; POLLHUP with no data left means the writer is gone for good.
      while (true) {
        ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
        if (r > 0) {
          on_output(i == 1, std::string(buf, static_cast<size_t>(r)));
          continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && (fds[i].revents & (POLLHUP | POLLERR))) open[i] = false;
        break;
      }
      if (fds[i].revents & POLLNVAL) open[i] = false;
    }
    if (fds[2].revents != 0) return;
  }
}

CancelFd::CancelFd() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancelFd::~CancelFd() {
  if (fd_ >= 0) ::close(fd_);
}

void CancelFd::fire() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(fd_, &one, sizeof one);
}

}  // namespace nodeagent::runtime::ctd
