// Benchmark: pod network set-up and teardown time per pod (NodePodNetwork over libnl), p50/p99
// over N pods (default 200), inside a throwaway "node" netns. Pod netns are made beforehand
// (that is the sandbox's work, not ours) and are not timed. Three rounds: plain pods; pods with
// one hostPort each (one nat-table commit per set-up and teardown); and the same plain set-up
// again after a restart (adoption of running pods). Needs root.
//
//   build-x/bench/network/pod_network_bench [pods]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "util/log.h"
#include "network/iptables/libiptc_table.h"
#include "network/nat/iptables_pod_nat.h"
#include "network/pod/pod_network_impl.h"

using namespace nodeagent;
using namespace nodeagent::network;
using Clock = std::chrono::steady_clock;

namespace {

std::string prefix() { return "nanetb" + std::to_string(::getpid()) + "-"; }

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

struct Cleanup {
  std::string state_dir;
  int pods = 0;
  ~Cleanup() {
    std::string cmd = "for n in $(ip netns list | awk '{print $1}' | grep '^" + prefix() + "'); do ip netns del $n; done";
    sh(cmd);
    std::filesystem::remove_all(state_dir);
  }
};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void report(const char* what, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto pct = [&](double p) { return samples[std::min(samples.size() - 1, static_cast<size_t>(p * samples.size()))]; };
  double sum = 0;
  for (double s : samples) sum += s;
  std::printf("%-34s n=%zu  p50=%.2f ms  p90=%.2f ms  p99=%.2f ms  max=%.2f ms  mean=%.2f ms\n", what, samples.size(),
              pct(0.50), pct(0.90), pct(0.99), samples.back(), sum / samples.size());
}

std::unique_ptr<PodNetwork> start(const NodeNetworkConfig& config, network::iptables::Iptables& ipt) {
  auto nat = IptablesPodNat::create(ipt, config.node_netns_path);
  if (!nat.ok()) {
    std::fprintf(stderr, "iptables: %s\n", nat.error().message.c_str());
    std::exit(1);
  }
  auto net = start_node_network(config, std::move(nat).value());
  if (!net.ok()) {
    std::fprintf(stderr, "start: %s\n", net.error().message.c_str());
    std::exit(1);
  }
  return std::move(net).value();
}

}  // namespace

int main(int argc, char** argv) {
  const int pods = argc > 1 ? std::atoi(argv[1]) : 200;
  log::set_level("warn");
  char tmpl[] = "/tmp/na-net-bench-XXXXXX";
  Cleanup cleanup{::mkdtemp(tmpl), pods};
  const std::string node = prefix() + "node";
  sh("ip netns add " + node);

  NodeNetworkConfig config;
  config.pod_cidr = "10.244.0.0/22";  // room for 1,000 pods
  config.node_ip = "192.168.50.1";
  config.cluster_cidr = "10.244.0.0/16";
  config.state_dir = cleanup.state_dir;
  config.node_netns_path = "/run/netns/" + node;
  network::iptables::LibiptcIptables ipt;
  auto net = start(config, ipt);

  std::vector<std::string> netns;
  for (int i = 0; i < pods; ++i) {
    netns.push_back(prefix() + "p" + std::to_string(i));
    sh("ip netns add " + netns.back());
  }
  auto request = [&](int i, bool host_port) {
    PodNetworkRequest r{"bench-uid-" + std::to_string(i), "bench", "pod-" + std::to_string(i),
                        "/run/netns/" + netns[i], false, {}};
    if (host_port) r.host_ports = {{static_cast<int32_t>(20000 + i), 80, "TCP", ""}};
    return r;
  };
  auto run_round = [&](const char* label, bool host_port, bool teardown) {
    std::vector<double> setup_ms, teardown_ms;
    for (int i = 0; i < pods; ++i) {
      const auto t0 = Clock::now();
      auto status = net->setup(request(i, host_port));
      setup_ms.push_back(ms(Clock::now() - t0));
      if (!status.ok()) {
        std::fprintf(stderr, "setup %d: %s\n", i, status.error().message.c_str());
        std::exit(1);
      }
    }
    report((std::string(label) + " set-up").c_str(), setup_ms);
    if (!teardown) return;
    for (int i = 0; i < pods; ++i) {
      const auto t0 = Clock::now();
      Status down = net->teardown("bench-uid-" + std::to_string(i), "/run/netns/" + netns[i]);
      teardown_ms.push_back(ms(Clock::now() - t0));
      if (!down.ok()) {
        std::fprintf(stderr, "teardown %d: %s\n", i, down.error().message.c_str());
        std::exit(1);
      }
    }
    report((std::string(label) + " teardown").c_str(), teardown_ms);
  };

  std::printf("pod network benchmark: %d pods, node netns %s\n", pods, node.c_str());
  run_round("pod", false, true);
  run_round("pod with hostPort", true, true);
  run_round("pod (before restart)", false, false);
  net.reset();  // agent restart: a new instance adopts the running pods
  net = start(config, ipt);
  run_round("pod re-sync after restart", false, true);
  return 0;
}
