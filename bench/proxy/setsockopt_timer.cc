// setsockopt interposer: libip4tc's call resolves to this definition (the executable comes
// first in symbol lookup); it forwards to libc's and times IPT_SO_SET_REPLACE.
#include "setsockopt_timer.h"

#include <dlfcn.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <sys/socket.h>

#include <time.h>

#include <atomic>
#include <chrono>

namespace {
std::atomic<long long> g_nanos{0};
std::atomic<long long> g_cpu_nanos{0};

long long thread_cpu_nanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
std::atomic<int> g_calls{0};
}  // namespace

namespace proxybench {
double set_replace_seconds() { return g_nanos.load() / 1e9; }
double set_replace_cpu_seconds() { return g_cpu_nanos.load() / 1e9; }
int set_replace_calls() { return g_calls.load(); }
void reset_set_replace() {
  g_nanos = 0;
  g_cpu_nanos = 0;
  g_calls = 0;
}
}  // namespace proxybench

extern "C" int setsockopt(int fd, int level, int name, const void* value, socklen_t len) {
  using Fn = int (*)(int, int, int, const void*, socklen_t);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "setsockopt"));
  if (level != IPPROTO_IP || name != IPT_SO_SET_REPLACE) return real(fd, level, name, value, len);
  auto t0 = std::chrono::steady_clock::now();
  const long long c0 = thread_cpu_nanos();
  int rc = real(fd, level, name, value, len);
  g_cpu_nanos += thread_cpu_nanos() - c0;
  g_nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
  ++g_calls;
  return rc;
}
