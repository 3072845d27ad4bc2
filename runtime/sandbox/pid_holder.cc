// Pid-namespace holder: its main loop, and how the agent starts and stops it (see pid_holder.h).
#include "runtime/sandbox/pid_holder.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>

#include "runtime/sandbox/ns_mounts.h"

namespace nodeagent::runtime::sandbox {
namespace {

void ignore_signal(int) {}

// Reads the state letter from /proc/<pid>/stat ("pid (comm) S ..."); 0 when the pid is gone.
char process_state(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) return 0;
  return stat[close_paren + 2];
}

// Runs in the forked grandchild, which is pid 1 of the new namespace: only async-signal-safe
// calls from here on (the agent is multithreaded).
[[noreturn]] void exec_holder(char* const* argv, int exec_error_fd) {
  const int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
  }
  // fd 3 reports an exec failure; it closes by itself (CLOEXEC) when exec succeeds.
  if (exec_error_fd != 3) ::dup2(exec_error_fd, 3);
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  ::close_range(4, ~0U, 0);
  ::chdir("/");
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(argv[0], argv);
  const int err = errno;
  (void)!::write(3, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

int run_pid_namespace_holder() {
  // pid 1 of a namespace only gets signals it handles: install no-op handlers, block them, and
  // take them synchronously.
  sigset_t wanted;
  sigemptyset(&wanted);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT}) {
    sigaddset(&wanted, sig);
    struct sigaction action {};
    action.sa_handler = ignore_signal;
    ::sigaction(sig, &action, nullptr);
  }
  ::sigprocmask(SIG_BLOCK, &wanted, nullptr);
  for (;;) {
    siginfo_t info{};
    const int sig = ::sigwaitinfo(&wanted, &info);
    if (sig == SIGTERM || sig == SIGINT) return 0;
    if (sig == SIGCHLD) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
    }
  }
}

Result<int> spawn_pid_namespace_holder(const std::vector<std::string>& holder_argv) {
  if (holder_argv.empty() || holder_argv[0].empty() || holder_argv[0][0] != '/') {
    return invalid("pid holder command: needs an absolute path");
  }
  // Everything the children need is prepared before fork: no allocation after it.
  std::vector<char*> argv;
  for (const auto& arg : holder_argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int pid_pipe[2];
  int exec_pipe[2];
  if (::pipe2(pid_pipe, O_CLOEXEC) != 0) return errno_error("pipe for pid holder", errno);
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(pid_pipe[0]);
    ::close(pid_pipe[1]);
    return errno_error("pipe for pid holder", err);
  }

  // _Fork (glibc 2.34+): a plain fork without pthread_atfork handlers, which libraries such as
  // gRPC install and which are not safe to run from whichever thread calls us. The children
  // only make system calls.
  const pid_t middle = ::_Fork();
  if (middle == 0) {
    // Middle child: new session (no controlling terminal, own process group), then the
    // namespace for its children; it reports the holder's pid and exits, so the holder is
    // reparented to init and does not die with the agent.
    ::setsid();
    int report = -1;
    if (::unshare(CLONE_NEWPID) != 0) {
      report = -errno;
    } else {
      const pid_t holder = ::_Fork();
      if (holder == 0) exec_holder(argv.data(), exec_pipe[1]);
      report = holder > 0 ? holder : -errno;
    }
    (void)!::write(pid_pipe[1], &report, sizeof report);
    ::_exit(0);
  }
  ::close(pid_pipe[1]);
  ::close(exec_pipe[1]);
  if (middle < 0) {
    const int err = errno;
    ::close(pid_pipe[0]);
    ::close(exec_pipe[0]);
    return errno_error("fork for pid holder", err);
  }
  int report = 0;
  const ssize_t n = ::read(pid_pipe[0], &report, sizeof report);
  ::close(pid_pipe[0]);
  ::waitpid(middle, nullptr, 0);
  int exec_errno = 0;
  const ssize_t m = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  ::close(exec_pipe[0]);
  if (n != sizeof report) return internal("start pid holder: no report from the forked child");
  if (report < 0) return errno_error("start pid holder (unshare/fork)", -report);
  if (m == sizeof exec_errno) return errno_error("exec pid holder " + holder_argv[0], exec_errno);
  return static_cast<int>(report);
}

bool holder_is_alive(int pid, unsigned long pidns_inode) {
  if (pid <= 0) return false;
  const char state = process_state(pid);
  if (state == 0 || state == 'Z' || state == 'X') return false;
  return pidns_inode != 0 && namespace_inode("/proc/" + std::to_string(pid) + "/ns/pid") == pidns_inode;
}

Status stop_holder(int pid, unsigned long pidns_inode) {
  if (!holder_is_alive(pid, pidns_inode)) return ok_status();
  if (::kill(pid, SIGKILL) != 0 && errno != ESRCH) return errno_error("kill pid holder " + std::to_string(pid), errno);
  // It is not our child: wait for the kernel to finish it (its parent reaps it, or not).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const char state = process_state(pid);
    if (state == 0 || state == 'Z' || state == 'X') return ok_status();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return internal("pid holder " + std::to_string(pid) + " still alive 5s after SIGKILL");
}

}  // namespace nodeagent::runtime::sandbox
