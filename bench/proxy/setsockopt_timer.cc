// setsockopt interposer: libip4tc's call resolves to this definition (the executable comes
// first in symbol lookup); it forwards to libc's and times IPT_SO_SET_REPLACE.
#include "setsockopt_timer.h"

#include <dlfcn.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>

namespace {
std::atomic<long long> g_nanos{0};
std::atomic<int> g_calls{0};
}  // namespace

namespace proxybench {
double set_replace_seconds() { return g_nanos.load() / 1e9; }
int set_replace_calls() { return g_calls.load(); }
void reset_set_replace() {
  g_nanos = 0;
  g_calls = 0;
}
}  // namespace proxybench

extern "C" int setsockopt(int fd, int level, int name, const void* value, socklen_t len) {
  using Fn = int (*)(int, int, int, const void*, socklen_t);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "setsockopt"));
  if (level != IPPROTO_IP || name != IPT_SO_SET_REPLACE) return real(fd, level, name, value, len);
  auto t0 = std::chrono::steady_clock::now();
  int rc = real(fd, level, name, value, len);
  g_nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  ++g_calls;
  return rc;
}
