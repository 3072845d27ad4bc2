// Agent crashes: a real child process runs the pod network and is killed with SIGKILL, once
// while idle and once in the middle of set-ups and teardowns; a new instance on the same state
// dir must keep the running pods' IPs and connectivity and leave nothing half-made. Needs root.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "network/pod/pod_network_impl.h"
#include "network/pod/veth_name.h"
#include "test/integration/network/netns_fixture.h"

using namespace nodeagent;
using namespace nodeagent::network;
using namespace nodeagent::network::testing;

namespace {

// The "agent" process: starts the network, sets up `pods`, writes their IPs (one per line) to
// `report_fd`, then, if `churn` is set, keeps setting up and tearing down that pod until killed.
[[noreturn]] void run_agent(const NodeNetworkConfig& config, const std::vector<const NamedNetns*>& pods,
                            const NamedNetns* churn, int report_fd) {
  auto net = start_node_network(config, nullptr);
  if (!net.ok()) ::_exit(10);
  std::string report;
  for (size_t i = 0; i < pods.size(); ++i) {
    auto status = (*net)->setup(PodNetworkRequest{"uid-" + std::to_string(i), "default", pods[i]->name(),
                                                  pods[i]->path(), false, {}});
    if (!status.ok()) ::_exit(11);
    report += status->pod_ips[0] + "\n";
  }
  if (::write(report_fd, report.data(), report.size()) != static_cast<ssize_t>(report.size())) ::_exit(12);
  ::close(report_fd);
  for (int i = 0; churn; ++i) {
    const std::string uid = "uid-churn-" + std::to_string(i);
    (*net)->setup(PodNetworkRequest{uid, "default", "churn", churn->path(), false, {}}).ignore_error();
    (*net)->teardown(uid, churn->path()).ignore_error();
  }
  ::pause();
  ::_exit(0);
}

// Forks the agent, waits for its report, lets it run `extra` longer, kills it with SIGKILL.
std::vector<std::string> run_and_kill(const NodeNetworkConfig& config, const std::vector<const NamedNetns*>& pods,
                                      const NamedNetns* churn, std::chrono::milliseconds extra) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    run_agent(config, pods, churn, fds[1]);
  }
  ::close(fds[1]);
  std::string report;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) report.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  std::this_thread::sleep_for(extra);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));  // it was still running: killed, not failed
  std::vector<std::string> ips;
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) ips.push_back(line);
  REQUIRE(ips.size() == pods.size());
  return ips;
}

}  // namespace

TEST_CASE("kill -9 of the agent: a new instance keeps IPs, veths and connections") {
  TestNode node("n1", "10.244.1.0/24", "192.168.50.1", {}, false);
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  const auto ips = run_and_kill(node.config, {&a, &b}, nullptr, std::chrono::milliseconds(0));
  HttpServer server(b, "survived");
  CHECK(http_get(a, ips[1]) == "survived");  // the pods' network outlives the agent

  node.start();
  CHECK(node.setup_pod(a, "uid-0") == ips[0]);
  CHECK(node.setup_pod(b, "uid-1") == ips[1]);
  CHECK(http_get(a, ips[1]) == "survived");
  NamedNetns c(unique_name("pc"));
  const std::string ip_c = node.setup_pod(c, "uid-2");
  CHECK(ip_c != ips[0]);
  CHECK(ip_c != ips[1]);
}

TEST_CASE("kill -9 in the middle of set-ups: the next sync and GC leave no half-made state") {
  TestNode node("n1", "10.244.1.0/24", "192.168.50.1", {}, false);
  NamedNetns a(unique_name("pa")), churn(unique_name("pchurn"));
  const auto ips = run_and_kill(node.config, {&a}, &churn, std::chrono::milliseconds(300));

  node.start();
  REQUIRE(node.net->garbage_collect({"uid-0"}).ok());
  CHECK(links_with_prefix(node.ns, "veth") == std::vector<std::string>{veth_name_for_pod("uid-0")});
  CHECK(node.ip_files() == 1);
  // The churn pod's netns may hold a stray eth0 from the killed set-up; a new set-up repairs it.
  const std::string ip = node.setup_pod(churn, "uid-new");
  HttpServer server(churn, "repaired");
  CHECK(http_get(a, ip) == "repaired");
  CHECK(node.setup_pod(a, "uid-0") == ips[0]);
}
