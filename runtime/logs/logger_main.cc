// nodeagent-logger: containerd's binary logging driver for CRI log files. The runc shim starts
// it for `binary:///…/nodeagent-logger?path=…&max-size=…&max-files=…` with the container's
// stdout on fd 3, stderr on fd 4 and a pipe on fd 5 to close once ready; the environment has
// only CONTAINER_ID and CONTAINER_NAMESPACE. The shim, not the agent, is its parent, so it
// keeps logging across agent restarts. SIGTERM (sent by the shim when the task is deleted)
// makes it drain the pipes, flush and exit. All logic is in na_logs (logger_loop.h).
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "runtime/logs/logger_loop.h"
#include "runtime/logs/logger_options.h"

namespace {

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

void report(const std::string& message) {
  const char* id = ::getenv("CONTAINER_ID");
  std::fprintf(stderr, "nodeagent-logger[%s]: %s\n", id ? id : "?", message.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nodeagent::runtime::logs;
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  const int stop_fd = ::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);

  LoggerFds fds;
  fds.stdout_fd = fd_is_open(3) ? 3 : -1;
  fds.stderr_fd = fd_is_open(4) ? 4 : -1;
  fds.ready_fd = fd_is_open(5) ? 5 : -1;
  fds.stop_fd = stop_fd;

  auto options = parse_logger_args(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    if (fds.ready_fd >= 0) ::close(fds.ready_fd);
    report(options.error().message);
    return 2;
  }
  auto stats = run_logger(*options, fds);
  if (!stats.ok()) {
    report(stats.error().message);
    return 1;
  }
  if (stats->write_errors > 0) {
    report(std::to_string(stats->write_errors) + " failed writes, first: " + stats->first_write_error);
    return 1;
  }
  return 0;
}
