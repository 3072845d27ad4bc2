// nodeagent: kubelet + kube-proxy for one node. `nodeagent [flags]` runs the daemon;
// `nodeagent pause` is the pid-namespace holder that shareProcessNamespace pods get.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "agent/config/config.h"
#include "agent/daemon/agent.h"
#include "util/log.h"
#include "runtime/sandbox/pid_holder.h"

int main(int argc, char** argv) {
  using namespace nodeagent;
  if (argc > 1 && std::strcmp(argv[1], "pause") == 0) return runtime::sandbox::run_pid_namespace_holder();
  // glibc gives each thread that allocates an arena of its own, up to 8 per core, and each keeps
  // its freed memory. The agent's ~30 threads are mostly idle (watches, timers, gRPC pollers):
  // two arenas serve them with less memory held. MALLOC_ARENA_MAX in the environment wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);

  auto parsed = config::parse_args(argc, argv);
  if (parsed.exit_code == 0) {
    std::printf("%s\n", parsed.message.c_str());
    return 0;
  }
  if (parsed.exit_code > 0) {
    std::fprintf(stderr, "nodeagent: %s\n", parsed.message.c_str());
    return parsed.exit_code;
  }
  log::set_level(parsed.config.log_level);

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  daemon::Agent agent(parsed.config);
  if (auto st = agent.start(); !st.ok()) {
    log::get("agent")->critical("cannot start: {}", st.error().message);
    std::fprintf(stderr, "nodeagent: %s\n", st.error().message.c_str());
    // Bad input (a flag, the kubeconfig) is a usage error, as for flags.
    return st.error().code == ErrorCode::kInvalid ? 2 : 1;
  }
  // While it waits for a signal, this thread hands the heap's free pages back every minute:
  // glibc keeps what a burst of pod starts freed (only the heap's top is returned on its own).
  int sig = -1;
  const timespec minute{60, 0};
  while ((sig = sigtimedwait(&signals, nullptr, &minute)) < 0) malloc_trim(0);
  log::get("agent")->info("received {}, stopping (containers keep running)", strsignal(sig));
  agent.stop();
  return 0;
}
