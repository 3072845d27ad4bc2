#include "test/support/control_plane_fixture.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <thread>

namespace nodeagent::cluster::testing {
namespace fs = std::filesystem;

namespace {

constexpr const char* kClusterPrefix = "nj";
constexpr const char* kNetnsPrefix = "na-it-";

bool pid_alive(const std::string& pid) { return !pid.empty() && fs::exists("/proc/" + pid); }

// Clusters and netns of test processes that died without cleaning up.
void remove_leftovers(const std::string& script) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/nodeagent-cp", ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(kClusterPrefix, 0) != 0) continue;
    const std::string pid = n.substr(2);
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid_alive(pid)) continue;
    sh(script + " down --name " + n + " >&2");
  }
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(kNetnsPrefix, 0) != 0) continue;
    const std::string rest = n.substr(std::string(kNetnsPrefix).size());
    const std::string pid = rest.substr(0, rest.find('-'));
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid_alive(pid)) continue;
    sh("ip netns del " + n + " 2>/dev/null");
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

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

bool eventually(int seconds, const std::function<bool()>& ready) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

ControlPlane& ControlPlane::shared() {
  static ControlPlane cp;
  return cp;
}

ControlPlane::ControlPlane() {
  const char* scripts = std::getenv("NODEAGENT_CP_SCRIPTS");
  script_ = std::string(scripts ? scripts : NODEAGENT_SOURCE_DIR "/scripts/controlplane") + "/cluster.sh";
  if (!fs::exists(script_)) {
    why_ = script_ + " does not exist (set NODEAGENT_CP_SCRIPTS to the directory that has cluster.sh)";
    return;
  }
  remove_leftovers(script_);
  name_ = kClusterPrefix + std::to_string(::getpid());
  std::cerr << "control plane: cluster.sh up --name " << name_ << " (may build the binaries first)\n";
  int rc = 0;
  cluster_sh("up >&2", &rc);
  if (rc != 0) {
    why_ = "cluster.sh up --name " + name_ + " failed (exit " + std::to_string(rc) + "); see its output above";
    cluster_sh("down >&2");
    return;
  }
  const std::string env = cluster_sh("env");
  if (auto pos = env.find("NACP_DIR="); pos != std::string::npos) dir_ = env.substr(pos + 9, env.find('\n', pos) - pos - 9);
  up_ = true;
}

ControlPlane::~ControlPlane() {
  if (!name_.empty()) cluster_sh("down >&2");
}

std::string ControlPlane::cluster_sh(const std::string& args, int* rc) const {
  const auto sp = args.find(' ');
  const std::string cmd = args.substr(0, sp);
  const std::string rest = sp == std::string::npos ? "" : args.substr(sp);
  return sh(script_ + " " + cmd + " --name " + name_ + rest, rc);
}

std::string ControlPlane::kubectl(const std::string& args, int* rc) const { return cluster_sh("kubectl " + args, rc); }

nlohmann::json ControlPlane::kubectl_json(const std::string& args) const {
  int rc = 0;
  const std::string out = kubectl(args + " -o json 2>/dev/null", &rc);
  if (rc != 0) return nullptr;
  auto doc = nlohmann::json::parse(out, nullptr, false);
  return doc.is_discarded() ? nlohmann::json() : doc;
}

std::string ControlPlane::apply(const std::string& yaml, int* rc) const {
  std::string quoted = "'";
  for (char c : yaml) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  return sh("printf '%s' " + quoted + " | " + script_ + " kubectl --name " + name_ + " apply -f - 2>&1", rc);
}

std::string ControlPlane::node_kubeconfig(const std::string& node) const {
  return trim(cluster_sh("node-kubeconfig " + node));
}

std::string ControlPlane::proxy_kubeconfig(const std::string& node) const {
  return dir_ + "/nodes/" + node + "/proxy-kubeconfig";
}

void ControlPlane::connect(const std::string& netns, const std::string& ip) const {
  cluster_sh("connect " + netns + " " + ip + " >&2");
}

void ControlPlane::stop_apiserver() const { cluster_sh("stop >&2"); }

std::string ControlPlane::etcd(const std::string& api, const std::string& body) const {
  return sh("nsenter --net=/run/netns/nacp-" + name_ + " curl -sS --noproxy '*' --max-time 10 -X POST -d '" + body +
            "' http://127.0.0.1:2379/v3/" + api);
}
void ControlPlane::start_apiserver() const { cluster_sh("start >&2"); }

NodeNetns::NodeNetns(const ControlPlane& cp, const std::string& suffix, const std::string& ip)
    : name_(kNetnsPrefix + std::to_string(::getpid()) + "-" + suffix), ip_(ip) {
  sh("ip netns del " + name_ + " 2>/dev/null; ip netns add " + name_ + " && ip -n " + name_ + " link set lo up");
  cp.connect(name_, ip_);
}

// The veth first (both ends go at once): the kernel destroys a deleted netns' links
// asynchronously, and a lingering bridge port would make the next connect of this IP fail.
NodeNetns::~NodeNetns() { sh("ip -n " + name_ + " link del cp0 2>/dev/null; ip netns del " + name_ + " 2>/dev/null"); }

void NodeNetns::run(const std::function<void()>& fn) const {
  std::exception_ptr failure;  // a failed REQUIRE in `fn` is rethrown on the caller's thread
  std::thread t([&] {
    const int fd = ::open(path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      // Never run node code in the host's namespace: its connections would leave the machine.
      std::cerr << "setns " << path() << " failed\n";
      std::abort();
    }
    ::close(fd);
    try {
      fn();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace nodeagent::cluster::testing
