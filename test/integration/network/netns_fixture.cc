#include "test/integration/network/netns_fixture.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "network/nat/iptables_pod_nat.h"
#include "network/pod/pod_network_impl.h"
#include "util/ipv4.h"

namespace nodeagent::network::testing {

namespace fs = std::filesystem;
constexpr const char* kPrefix = "nanet";

std::string sh(const std::string& command, int* rc) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    if (rc) *rc = -1;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string unique_name(const std::string& suffix) {
  return kPrefix + std::to_string(::getpid()) + "-" + suffix;
}

void remove_leftovers_of_dead_runs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    const auto dash = name.find('-');
    if (dash == std::string::npos) continue;
    const std::string pid = name.substr(std::string(kPrefix).size(), dash - std::string(kPrefix).size());
    if (pid.empty() || fs::exists("/proc/" + pid)) continue;
    sh("ip netns del " + name + " 2>/dev/null");
  }
}

NamedNetns::NamedNetns(std::string name) : name_(std::move(name)) {
  sh("ip netns del " + name_ + " 2>/dev/null; ip netns add " + name_);
  sh("ip -n " + name_ + " link set lo up");
}

NamedNetns::~NamedNetns() { sh("ip netns del " + name_ + " 2>/dev/null"); }

std::string NamedNetns::exec(const std::string& command, int* rc) const {
  return sh("nsenter --net=" + path() + " " + command, rc);
}

HttpServer::HttpServer(const NamedNetns& netns, const std::string& body, int port) {
  std::ofstream(docroot_.path() + "/index.html") << body;
  const std::string ns_arg = "--net=" + netns.path();
  const std::string port_arg = std::to_string(port);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test must not leave a server behind
    ::execlp("nsenter", "nsenter", ns_arg.c_str(), "busybox", "httpd", "-f", "-p", port_arg.c_str(), "-h",
             docroot_.path().c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait until it listens, so the first request does not race its start.
  for (int i = 0; i < 100; ++i) {
    if (netns.exec("busybox netstat -ltn 2>/dev/null").find(":" + port_arg + " ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

HttpServer::~HttpServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string http_get(const NamedNetns& from, const std::string& ip, int port) {
  // curl, not busybox wget: the static busybox's wget crashes here.
  return from.exec("curl -s --noproxy '*' -m 3 http://" + ip + ":" + std::to_string(port) + "/index.html 2>/dev/null");
}

std::vector<std::string> links_with_prefix(const NamedNetns& netns, const std::string& prefix) {
  std::istringstream out(sh("ip -n " + netns.name() + " -o link show"));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(out, line)) {
    // "12: vethabc@if2: <...>" -> "vethabc"
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    std::string name = line.substr(colon + 2, line.find_first_of(":@", colon + 2) - colon - 2);
    if (name.rfind(prefix, 0) == 0) names.push_back(name);
  }
  return names;
}

TestNode::TestNode(const std::string& suffix, const std::string& pod_cidr, const std::string& node_ip,
                   std::vector<PodCidrRoute> routes, bool start_now, bool nat)
    : ns(unique_name(suffix)), with_nat(nat) {
  config.pod_cidr = pod_cidr;
  config.node_ip = node_ip;
  config.cluster_cidr = "10.244.0.0/16";
  config.routes = std::move(routes);
  config.state_dir = state.path();
  config.node_netns_path = ns.path();
  if (start_now) start();
}

void TestNode::start() {
  net.reset();
  std::unique_ptr<PodNat> nat;
  if (with_nat) {
    auto created = IptablesPodNat::create(iptables, ns.path());
    if (!created.ok()) FAIL(created.error().message);
    nat = std::move(created).value();
  }
  auto started = start_node_network(config, std::move(nat));
  if (!started.ok()) FAIL(started.error().message);
  net = std::move(started).value();
}

size_t TestNode::ip_files() const {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(state.path() + "/ipam/" + config.bridge_name)) {
    if (Ipv4::parse(e.path().filename().string()).ok()) ++n;
  }
  return n;
}

std::string TestNode::setup_pod(const NamedNetns& pod, const std::string& uid, std::vector<HostPortMapping> ports) {
  auto status = net->setup(PodNetworkRequest{uid, "default", pod.name(), pod.path(), false, std::move(ports)});
  if (!status.ok()) FAIL(status.error().message);
  REQUIRE(status->pod_ips.size() == 1);
  return status->pod_ips[0];
}

void connect_underlay(const TestNode& a, const TestNode& b) {
  sh("ip -n " + a.ns.name() + " link add ul0 type veth peer name ul0 netns " + b.ns.name());
  for (const TestNode* node : {&a, &b}) {
    sh("ip -n " + node->ns.name() + " addr add " + node->config.node_ip + "/24 dev ul0");
    sh("ip -n " + node->ns.name() + " link set ul0 up");
  }
}

}  // namespace nodeagent::network::testing
