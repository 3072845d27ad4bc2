// The stdout/stderr FIFOs of one exec. The read ends are opened (non-blocking) BEFORE the
// shim opens the write ends: a FIFO without a reader would block the shim and hang Tasks.Exec.
// pump() reads both until the writers hang up; on Linux a reader that opened first sees POLLHUP
// only after a writer has connected and left, so "no writer yet" is not mistaken for EOF.
#pragma once

#include <functional>
#include <string>

#include "util/result.h"

namespace nodeagent::runtime::ctd {

class OutputFifos {
 public:
  using OutputFn = std::function<void(bool is_stderr, const std::string& chunk)>;

  // mkfifo <dir>/<name>.stdout and .stderr (dir is created 0700 if needed) and opens them.
  // Without `with_stderr` (a TTY has one output) there is no stderr FIFO: its path is "".
  static Result<OutputFifos> create(const std::string& dir, const std::string& name, bool with_stderr = true);
  OutputFifos(OutputFifos&& other) noexcept;
  OutputFifos& operator=(OutputFifos&&) = delete;
  OutputFifos(const OutputFifos&) = delete;
  ~OutputFifos();  // closes and unlinks

  const std::string& stdout_path() const { return stdout_path_; }
  const std::string& stderr_path() const { return stderr_path_; }

  // Calls on_output for every chunk until both writers have hung up, or until `cancel_fd`
  // (an eventfd or pipe) becomes readable.
  void pump(const OutputFn& on_output, int cancel_fd);

 private:
  OutputFifos(std::string stdout_path, std::string stderr_path, int stdout_fd, int stderr_fd);

  std::string stdout_path_;
  std::string stderr_path_;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
};

// An eventfd used to wake a pump(); closes itself.
class CancelFd {
 public:
  CancelFd();
  ~CancelFd();
  CancelFd(const CancelFd&) = delete;
  CancelFd& operator=(const CancelFd&) = delete;
  int fd() const { return fd_; }
  void fire();

 private:
  int fd_;
};

}  // namespace nodeagent::runtime::ctd
