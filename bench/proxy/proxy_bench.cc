// Service proxy benchmark (the headline). For each N (default 1000, 5000, 10000) and
// E endpoints per Service (default 10), in a fresh throwaway netns per measurement:
//   (a) our full sync (compile + libiptc edit + commit) into empty tables,
//   (b) one endpoint change at that scale (partial sync),
//   (c) iptables-legacy-restore of the same ruleset as text (what kube-proxy does),
//   (d) the kernel's IPT_SO_SET_REPLACE time inside (b): the floor,
//   (e) a full resync over the existing table (what the Runner does hourly and after failures),
// plus our RSS after (b) and at the end (after (e) and malloc_trim; also before it), and the peak
// (VmHWM), each once the background work of the table cache is done.
// Each N runs in a forked child so that RSS figures do not mix.
//   usage: proxy_bench [--services 1000,5000,10000] [--endpoints 10] [--no-restore] [--libiptc] [--changes K] [--change endpoint|add|remove]
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "network/iptables/kernel_table.h"
#include "network/iptables/libiptc_table.h"
#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/compiler.h"
#include "setsockopt_timer.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of the calling thread (user + system): what the work costs, whatever the load.
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + std::strlen(key) + 1, nullptr, 10);
  }
  return -1;
}

// Service i of the benchmark, with its endpoints.
void add_service(ProxyState& state, int i, int endpoints) {
  {
    ServicePortInfo svc;
    svc.name = ServicePortName{"bench", "svc-" + std::to_string(i), "http"};
    svc.cluster_ip = (172u << 24) | (30u << 16) | static_cast<uint32_t>(i + 1);
    svc.port = 80;
    // The NodePort range has 2768 ports; beyond that they repeat (the kernel does not care,
    // and the rule count is what kube-proxy would have).
    svc.node_port = static_cast<uint16_t>(30000 + i % 2768);
    state.services[svc.name] = svc;
    auto& eps = state.endpoints[svc.name];
    for (int j = 0; j < endpoints; ++j) {
      uint32_t ip = (10u << 24) | (128u << 16) | static_cast<uint32_t>(i * endpoints + j + 1);
      eps.push_back(EndpointInfo{ip, 8080, true, true, false, false, "node-b"});
    }
  }
}

ProxyState make_state(int services, int endpoints) {
  ProxyState state;
  for (int i = 0; i < services; ++i) add_service(state, i, endpoints);
  return state;
}

// CPU seconds of one ChangeTracker::snapshot() with the same Services (ClusterIP only: the
// tracker refuses repeated NodePorts) as slices: what the daemon's Runner does before each sync,
// outside the Applier.
double snapshot_cpu(int services, int endpoints) {
  ChangeTracker tracker("node-a");
  for (int i = 0; i < services; ++i) {
    ServiceInfo svc;
    svc.name = ObjectName{"bench", "svc-" + std::to_string(i)};
    ServicePortInfo port;
    port.name = ServicePortName{"bench", svc.name.name, "http"};
    port.cluster_ip = (172u << 24) | (30u << 16) | static_cast<uint32_t>(i + 1);
    port.port = 80;
    svc.ports.push_back(port);
    if (!tracker.upsert_service(svc).ok()) return -1;
    EndpointSliceInfo slice;
    slice.name = ObjectName{"bench", svc.name.name + "-1"};
    slice.service_name = svc.name.name;
    slice.ports.push_back({"http", Protocol::kTcp, 8080});
    for (int j = 0; j < endpoints; ++j) {
      EndpointSliceInfo::Endpoint ep;
      ep.addresses = {(10u << 24) | (128u << 16) | static_cast<uint32_t>(i * endpoints + j + 1)};
      ep.node_name = "node-b";
      slice.endpoints.push_back(ep);
    }
    tracker.upsert_endpoint_slice(slice);
  }
  const double c0 = thread_cpu();
  ProxyState snap = tracker.snapshot();
  const double cpu = thread_cpu() - c0;
  return snap.services.size() == static_cast<size_t>(services) ? cpu : -1;
}

CompilerConfig bench_config() {
  CompilerConfig c;
  c.cluster_cidr = network::iptables::parse_cidr("10.128.0.0/9");
  return c;
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

void enter(const std::string& ns) {
  int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    std::perror("setns");
    std::exit(2);
  }
  close(fd);
}

// The ruleset as iptables-restore input (nat and filter), like kube-proxy's buffer.
std::string restore_text(const Ruleset& rs) {
  std::string out;
  for (auto* t : {&rs.nat, &rs.filter}) {
    out += t == &rs.nat ? "*nat\n" : "*filter\n";
    std::string table = format_table(*t);
    out += table;
    out += "COMMIT\n";
  }
  return out;
}

struct ChildCost {
  double seconds = 0;
  double cpu = 0;  // user + system of the child and its children
  long peak_kb = 0;
};

// Runs `cmd` (through sh) and returns wall time, CPU time and peak RSS of the child.
ChildCost timed_child(const std::string& cmd) {
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  double s = since(t0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::fprintf(stderr, "command failed: %s\n", cmd.c_str());
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  return {s, cpu, ru.ru_maxrss};
}

// Counts what the compiler emits, to time the pure compiler alone.
class CountingSink : public RulesetSink {
 public:
  void chain(TableId, const std::string&, const std::vector<network::iptables::Rule>& rules) override {
    ++chains;
    this->rules += rules.size();
  }
  void jump(TableId, const std::string&, const network::iptables::Rule&) override {}
  size_t chains = 0, rules = 0;
};

bool g_libiptc = false;  // --libiptc: measure the libiptc editor instead of the blob editor
int g_changes = 1;       // --changes K: K one-endpoint changes in a row after the full sync
std::string g_change_kind = "endpoint";  // --change endpoint|add|remove: what (b) changes

int run_one(int n, int e, bool with_restore) {
  const std::string ns = "naprxb" + std::to_string(getpid());
  sh("ip netns del " + ns + " 2>/dev/null; ip netns add " + ns);
  const ProxyState state = make_state(n, e);
  CountingSink counting;
  auto tc = Clock::now();
  compile(state, bench_config(), counting);
  const double compile_s = since(tc);

  std::unique_ptr<network::iptables::Iptables> ipt;
  if (g_libiptc) ipt = std::make_unique<network::iptables::LibiptcIptables>();
  else ipt = std::make_unique<network::iptables::KernelIptables>();
  Applier applier(*ipt, bench_config());
  double full_s = 0, full_floor = 0, change_s = 0, change_floor = 0;
  double full_cpu = 0, full_floor_cpu = 0, change_cpu = 0, change_floor_cpu = 0;
  ApplyStats full_stats, change_stats, resync_stats;
  double resync_s = 0, resync_cpu = 0;
  long steady_kb = 0, rules = 0;
  bool change_from_cache = false;
  size_t cache_bytes = 0;
  double compress_cpu = 0, full_cache_cpu = 0;
  long untrimmed_kb = 0, change_rss_kb = 0;
  size_t chunks_rebuilt = 0;
  std::string error;
  std::thread t([&] {
    enter(ns);
    proxybench::reset_set_replace();
    auto t0 = Clock::now();
    double c0 = thread_cpu();
    auto r = applier.apply(state, true);
    full_cpu = thread_cpu() - c0;
    full_s = since(t0);
    full_floor = proxybench::set_replace_seconds();
    full_floor_cpu = proxybench::set_replace_cpu_seconds();
    if (!r.ok()) {
      error = r.error().message;
      return;
    }
    full_stats = *r;
    // The cache of the committed table is built on a background thread after the commit: its CPU
    // time is not in the figures above, so report it (waiting for it here, outside the timings).
    if (auto* kernel = dynamic_cast<network::iptables::KernelIptables*>(ipt.get())) full_cache_cpu = kernel->last_compress_cpu();
    rules = static_cast<long>(r->rules_written);

    // (b) one endpoint of one Service changes (g_changes times in a row, a different Service each
    // time; the figures are those of the last one).
    ProxyState changed = state;
    for (int k = 0; k < g_changes; ++k) {
      auto it = changed.endpoints.begin();
      std::advance(it, (k * 7919) % changed.endpoints.size());
      if (g_change_kind == "endpoint") {
        it->second[0].ip = (10u << 24) | (127u << 16) | static_cast<uint32_t>(k + 1);
      } else if (g_change_kind == "remove") {  // a Service goes away
        const ServicePortName gone = it->first;
        changed.endpoints.erase(it);
        changed.services.erase(gone);
      } else {  // "add": a new Service with e endpoints
        add_service(changed, n + k, e);
      }
      proxybench::reset_set_replace();
      t0 = Clock::now();
      c0 = thread_cpu();
      auto r2 = applier.apply(changed, false);
      change_cpu = thread_cpu() - c0;
      change_s = since(t0);
      change_floor = proxybench::set_replace_seconds();
      change_floor_cpu = proxybench::set_replace_cpu_seconds();
      if (!r2.ok()) {
        error = r2.error().message;
        return;
      }
      change_stats = *r2;
      if (auto* kernel = dynamic_cast<network::iptables::KernelIptables*>(ipt.get())) {
        change_from_cache = kernel->last_open_used_cache("nat");
        cache_bytes = kernel->cached_image_bytes();
        compress_cpu = kernel->last_compress_cpu();  // waits for the background compression
        chunks_rebuilt = kernel->last_chunks_rebuilt("nat");
      }
    }
    change_rss_kb = status_kb("VmRSS:");  // after the background work of (b), no malloc_trim

    // (e) a full resync of the same state over the existing table (after a failure, a missing
    // canary, and hourly): it reads the table back from the kernel and rewrites every chain.
    t0 = Clock::now();
    c0 = thread_cpu();
    auto r3 = applier.apply(changed, true);
    resync_cpu = thread_cpu() - c0;
    resync_s = since(t0);
    if (!r3.ok()) {
      error = r3.error().message;
      return;
    }
    resync_stats = *r3;
    if (auto* kernel = dynamic_cast<network::iptables::KernelIptables*>(ipt.get())) kernel->last_compress_cpu();  // waits
  });
  t.join();
  untrimmed_kb = status_kb("VmRSS:");
  malloc_trim(0);
  steady_kb = status_kb("VmRSS:");
  const long peak_kb = status_kb("VmHWM:");
  const double snapshot_s = snapshot_cpu(n, e);  // after the RSS figures, which it would blur
  sh("ip netns del " + ns);
  if (!error.empty()) {
    std::fprintf(stderr, "N=%d: %s\n", n, error.c_str());
    return 1;
  }

  ChildCost restore, append;
  if (with_restore) {
    const std::string file = "/tmp/" + ns + ".rules";
    {
      std::ofstream out(file);
      out << restore_text(compile_ruleset(state, bench_config()));
    }
    sh("ip netns add " + ns);
    restore = timed_child("ip netns exec " + ns + " iptables-legacy-restore < " + file);
    append = timed_child("ip netns exec " + ns +
                                                " iptables-legacy -t nat -A KUBE-SERVICES -d 172.31.0.1/32 -p tcp --dport 80 -j ACCEPT");
    sh("ip netns del " + ns);
    std::remove(file.c_str());
  }

  std::printf("backend=%s ", g_libiptc ? "libiptc" : "x_tables blob");
  std::printf("N=%d E=%d chains=%zu rules=%zu (rules_written=%ld)\n", n, e, counting.chains, counting.rules, rules);
  std::printf("  (wall s / cpu s; the machine is shared, cpu time is the comparable figure)\n");
  std::printf("  pure compiler                 %7.3f\n", compile_s);
  std::printf("  (a) full sync                 %7.3f / %7.3f  (cpu: read %.3f, compile+edit %.3f, write %.3f incl. kernel replace %.3f)\n",
              full_s, full_cpu, full_stats.open_cpu, full_stats.compile_and_edit_cpu, full_stats.commit_cpu, full_floor_cpu);
  std::printf("  (b) one change (%-8s)     %7.3f / %7.3f  (cpu: read %.3f, compile+edit %.3f, write %.3f incl. kernel replace %.3f; chains written %zu)\n",
              g_change_kind.c_str(), change_s, change_cpu, change_stats.open_cpu, change_stats.compile_and_edit_cpu, change_stats.commit_cpu,
              change_floor_cpu, change_stats.chains_written);
  std::printf("      (the daemon's Runner also renders the tracker's snapshot before each sync: %.3f s cpu)\n", snapshot_s);
  std::printf("  (e) full resync over the table  %7.3f / %7.3f  (cpu: read %.3f, compile+edit %.3f, write %.3f)\n", resync_s,
              resync_cpu, resync_stats.open_cpu, resync_stats.compile_and_edit_cpu, resync_stats.commit_cpu);
  if (with_restore) {
    std::printf("  (c) iptables-legacy-restore   %7.3f / %7.3f  peak RSS %ld MiB\n", restore.seconds, restore.cpu,
                restore.peak_kb / 1024);
    std::printf("      then one iptables-legacy -A %5.3f / %7.3f  peak RSS %ld MiB\n", append.seconds, append.cpu,
                append.peak_kb / 1024);
  }
  if (!g_libiptc)
    std::printf("      after (a): the table cache built in %.3f s cpu (all tables, background thread)\n", full_cache_cpu);
  if (!g_libiptc)
    std::printf("      nat read from the cache: %s; cache %.1f MiB compressed; after (b) %zu nat chunks recompressed "
                "in %.3f s cpu (all tables, background thread)\n",
                change_from_cache ? "yes" : "no", cache_bytes / 1048576.0, chunks_rebuilt, compress_cpu);
  std::printf("  (d) kernel floor (IPT_SO_SET_REPLACE during (b)) %.3f / %.3f\n", change_floor, change_floor_cpu);
  if (with_restore)
    std::printf("  ratio restore / full sync     %6.2fx wall, %6.2fx cpu\n", restore.seconds / full_s, restore.cpu / full_cpu);
  std::printf("  ratio change / floor          %6.2fx wall, %6.2fx cpu\n", change_s / change_floor, change_cpu / change_floor_cpu);
  std::printf("  RSS after (b) %ld MiB; steady after (e) %ld MiB (%ld before malloc_trim), peak %ld MiB\n",
              change_rss_kb / 1024, steady_kb / 1024, untrimmed_kb / 1024, peak_kb / 1024);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{1000, 5000, 10000};
  int endpoints = 10;
  bool restore = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--services" && i + 1 < argc) {
      sizes.clear();
      std::stringstream ss(argv[++i]);
      for (std::string v; std::getline(ss, v, ',');) sizes.push_back(std::stoi(v));
    } else if (a == "--endpoints" && i + 1 < argc) {
      endpoints = std::stoi(argv[++i]);
    } else if (a == "--change" && i + 1 < argc) {
      g_change_kind = argv[++i];
      if (g_change_kind != "endpoint" && g_change_kind != "add" && g_change_kind != "remove") {
        std::fprintf(stderr, "--change endpoint|add|remove\n");
        return 2;
      }
    } else if (a == "--changes" && i + 1 < argc) {
      g_changes = std::max(1, std::stoi(argv[++i]));
    } else if (a == "--libiptc") {
      g_libiptc = true;
    } else if (a == "--no-restore") {
      restore = false;
    } else {
      std::fprintf(stderr, "usage: %s [--services 1000,5000,10000] [--endpoints 10] [--no-restore] [--libiptc] [--changes K] [--change endpoint|add|remove]\n", argv[0]);
      return 2;
    }
  }
  int rc = 0;
  for (int n : sizes) {
    pid_t pid = fork();
    if (pid == 0) _exit(run_one(n, endpoints, restore));
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
  }
  return rc;
}
