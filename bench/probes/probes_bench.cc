// probes_bench: the prober engine alone under 100 pods x 10 httpGet probes, period 1 s (1,000
// probes/s), against an HTTP server on loopback that runs in a child process, so that this
// process's CPU is the prober's only. Prints CPU (cores: p50 and mean over 1 s samples), RSS and
// the probe results seen. Usage: probes_bench [seconds=60] [pods=100] [probes_per_pod=10]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "probes/prober/prober.h"

using namespace nodeagent;
using namespace std::chrono;

namespace {

// Answers every request with 200 and closes (kubelet's probes use Connection: close).
[[noreturn]] void serve(int fd) {
  static const char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  char buf[4096];
  for (;;) {
    int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    ssize_t n = ::recv(c, buf, sizeof buf, 0);
    if (n > 0) ::send(c, kReply, sizeof kReply - 1, MSG_NOSIGNAL);
    ::close(c);
  }
}

double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds_to_run = argc > 1 ? std::atoi(argv[1]) : 60;
  const int pods = argc > 2 ? std::atoi(argv[2]) : 100;
  const int per_pod = argc > 3 ? std::atoi(argv[3]) : 10;

  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 4096);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  pid_t server = ::fork();
  if (server == 0) serve(fd);
  ::close(fd);

  SystemClock clock;
  std::atomic<long> events{0};
  probes::Prober::Options options;
  options.on_event = [&](const probes::ProbeManager::Event&) { events++; };
  probes::Prober prober(clock, nullptr, options);
  prober.start();
  std::vector<std::string> uids;
  for (int p = 0; p < pods; ++p) {
    auto pod = std::make_shared<kube::Pod>();
    pod->metadata.name = "bench-" + std::to_string(p);
    pod->metadata.namespace_ = "default";
    pod->metadata.uid = "uid-" + std::to_string(p);
    probes::PodInput in;
    for (int c = 0; c < per_pod; ++c) {
      kube::Container container;
      container.name = "c" + std::to_string(c);
      kube::Probe probe;
      kube::HTTPGetAction get;
      get.port = kube::IntOrString::from_int(port);
      get.path = "/healthz";
      probe.handler.http_get = get;
      probe.period_seconds = 1;
      container.readiness_probe = probe;
      pod->spec.containers.push_back(container);
      // Started "before the engine": first runs jittered over the period, as after a restart.
      in.running.push_back({container.name, "id-" + std::to_string(p) + "-" + std::to_string(c), clock.now() - hours(1)});
    }
    in.pod = pod;
    in.pod_ip = "127.0.0.1";
    prober.update_pod(in);
    uids.push_back(pod->metadata.uid);
  }

  std::this_thread::sleep_for(2s);  // warm-up: every probe has run once
  std::vector<double> samples;
  double last = cpu_seconds();
  const double start_cpu = last;
  for (int s = 0; s < seconds_to_run; ++s) {
    std::this_thread::sleep_for(1s);
    double now = cpu_seconds();
    samples.push_back(now - last);
    last = now;
  }
  const double total = last - start_cpu;
  long ready = 0, probes_count = 0;
  for (const auto& uid : uids)
    for (const auto& [name, r] : prober.results(uid).readiness) {
      probes_count++;
      ready += r.success;
    }
  prober.stop();
  ::kill(server, SIGKILL);
  ::waitpid(server, nullptr, 0);

  std::sort(samples.begin(), samples.end());
  const double p50 = samples.empty() ? 0 : samples[samples.size() / 2];
  std::printf("probes: %ld httpGet (%d pods x %d), period 1 s, %d s measured\n", probes_count, pods, per_pod, seconds_to_run);
  std::printf("ready at the end: %ld/%ld, failure events: %ld\n", ready, probes_count, events.load());
  std::printf("prober CPU: p50 %.4f cores (%.2f %% of one core), mean %.4f cores, %.1f us per probe\n", p50, p50 * 100,
              total / seconds_to_run, total / seconds_to_run / std::max<long>(1, probes_count) * 1e6);
  std::printf("RSS: %ld KiB\n", rss_kib());
  return 0;
}
