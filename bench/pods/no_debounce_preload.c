/* Experiment only (pod_start_bench.sh --experiment-no-debounce): LD_PRELOADed into nodeagent, it turns
 * the manifest source's debounce wait -- poll() on the inotify fd alone with a 50 ms timeout
 * (agent/sources/manifest_dir.cc, kDebounce) -- into a non-blocking check, to measure what the
 * debounce costs pod start without changing the agent. Every other poll() is passed through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <poll.h>

int poll(struct pollfd* fds, nfds_t nfds, int timeout) {
  static int (*real_poll)(struct pollfd*, nfds_t, int);
  if (!real_poll) real_poll = (int (*)(struct pollfd*, nfds_t, int))dlsym(RTLD_NEXT, "poll");
  if (nfds == 1 && timeout == 50 && fds[0].events == POLLIN) timeout = 0;
  return real_poll(fds, nfds, timeout);
}
