#include "agent_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace nodeagent::testing {

namespace fs = std::filesystem;


AgentHarness::AgentHarness(AgentOptions options) : options_(std::move(options)) {
  ContainerdFixture::instance();
  ns_ = std::make_unique<ContainerdNamespace>("nae2e");
  char tmpl[] = "/tmp/na-test-e2e-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  root_ = dir_ + "/root";
  logs_ = dir_ + "/logs";
  manifests_ = dir_ + "/manifests";
  socket_ = dir_ + "/nodeagent.sock";
  node_ = "node-" + std::to_string(::getpid()) + options_.node_suffix;
  fs::create_directories(manifests_);
  if (!options_.existing_netns.empty()) {
    netns_ = options_.existing_netns;
  } else if (options_.node_netns) {
    netns_ = "na-test-node-" + std::to_string(::getpid());
    run_command("ip netns delete " + netns_ + " 2>/dev/null");
    REQUIRE(run_command("ip netns add " + netns_ + " && ip netns exec " + netns_ + " ip link set lo up").exit_code == 0);
  }
  // A failed REQUIRE here throws out of the constructor, so the destructor would not run:
  // clean up (agent, mounts, temp dir, netns) before passing the failure on.
  try {
    if (options_.import_test_image) ns_->import_test_image("docker.io/library/busybox:latest");
    start_agent();
  } catch (...) {
    kill_agent(SIGKILL);
    cleanup_after_failed_start();
    throw;
  }
}

void AgentHarness::cleanup_after_failed_start() {
  ns_->cleanup();
  remove_test_state();
  manifests_.clear();
}

// Whatever is left of the test on the machine: mounts (last resort, so that one failing test does
// not leak into the next ones), the temp dir, the node netns with its iptables rules, bridge and
// veths, and the QoS parents (kubepods/...) under this test's cgroup root.
void AgentHarness::remove_test_state() {
  std::error_code ec;
  run_command("grep -o ' " + dir_ + "[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l");
  if (const char* keep = std::getenv("NA_E2E_KEEP_LOGS")) {  // a directory, for debugging a failure
    fs::create_directories(keep, ec);
    fs::copy_file(dir_ + "/agent.log", std::string(keep) + "/" + node_ + ".log", fs::copy_options::overwrite_existing, ec);
  }
  fs::remove_all(dir_, ec);
  if (!netns_.empty() && options_.existing_netns.empty()) run_command("ip netns delete " + netns_);
  run_command(fmt::format("find /sys/fs/cgroup -depth -type d -path '*/na-test-{}*' -exec rmdir {{}} + 2>/dev/null", ::getpid()));
}

AgentHarness::~AgentHarness() { cleanup(); }

void AgentHarness::start_agent(const std::vector<std::string>& extra_env) {
  std::vector<std::string> args;
  if (!netns_.empty()) args = {"/usr/bin/nsenter", "--net=/run/netns/" + netns_, "--", NODEAGENT_PATH};
  else args = {NODEAGENT_PATH};
  std::vector<std::string> flags = {
                                   "--pod-manifest-path", manifests_,
                                   "--root-dir", root_,
                                   "--pod-log-dir", logs_,
                                   "--container-runtime-endpoint", "unix://" + ContainerdFixture::instance().socket(),
                                   "--containerd-namespace", ns_->name(),
                                   "--api-socket", socket_,
                                   "--hostname-override", node_,
                                   "--logger-path", NODEAGENT_LOGGER_PATH,
                                   "--cgroup-root", "/na-test-" + std::to_string(::getpid()) + options_.node_suffix,
                                   "--file-check-frequency", "2",
                                   "--log-level", "debug"};
  args.insert(args.end(), flags.begin(), flags.end());
  REQUIRE((!options_.network || !netns_.empty()));  // never the host's links and routes
  if (!options_.network) args.push_back("--no-network");
  // In the host's network namespace the agent must not touch the host's iptables.
  if (netns_.empty()) args.push_back("--no-proxy");
  args.insert(args.end(), options_.extra_flags.begin(), options_.extra_flags.end());
  std::string log = dir_ + "/agent.log";
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  REQUIRE(eventually([&] { return nodectl("version").exit_code == 0; }, std::chrono::seconds(20)));
}

void AgentHarness::kill_agent(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int AgentHarness::wait_agent_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

std::string AgentHarness::agent_log() const {
  std::ifstream in(dir_ + "/agent.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void AgentHarness::write_manifest(const std::string& file, const std::string& yaml) const {
  // Written aside and renamed in, as editors and config management do: never half a file.
  auto tmp = dir_ + "/." + file + ".tmp";
  std::ofstream(tmp) << yaml;
  fs::rename(tmp, manifests_ + "/" + file);
}

void AgentHarness::remove_manifest(const std::string& file) const { fs::remove(manifests_ + "/" + file); }

CommandResult AgentHarness::nodectl(const std::string& args) const {
  return run_command(fmt::format("{} --socket {} {} 2>&1", NODECTL_PATH, socket_, args));
}

nlohmann::json AgentHarness::pods() const {
  auto r = nodectl("pods -o json");
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(r.output, nullptr, false);
}

nlohmann::json AgentHarness::pod(const std::string& name) const {
  auto list = pods();
  if (!list.is_object() || !list.contains("items")) return nullptr;
  for (const auto& p : list["items"])
    if (p["metadata"]["name"] == name + "-" + node_) return p;
  return nullptr;
}

bool AgentHarness::eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

int AgentHarness::container_pid(const std::string& pod_name, const std::string& container) const {
  // Find the container id through containerd's labels instead of parsing tables.
  auto q = run_command(fmt::format(
      "ctr --address {} -n {} containers ls -q 'labels.\"io.nodeagent.pod.name\"=={},labels.\"io.nodeagent.container.name\"=={}'",
      ContainerdFixture::instance().socket(), ns_->name(), pod_name + "-" + node_, container));
  std::istringstream ids(q.output);
  std::string id;
  int pid = 0;
  while (ids >> id) {
    auto t = run_command(fmt::format("ctr --address {} -n {} tasks ls | awk '$1==\"{}\" && $3==\"RUNNING\" {{print $2}}'",
                                     ContainerdFixture::instance().socket(), ns_->name(), id));
    if (!t.output.empty()) pid = std::stoi(t.output);
  }
  return pid;
}

void AgentHarness::cleanup() {
  std::error_code ec;
  if (pid_ <= 0 && fs::exists(manifests_)) {
    try {  // a destructor must not throw; an agent that does not come up shows in the checks below
      start_agent();
    } catch (...) {
    }
  }
  for (const auto& e : fs::directory_iterator(manifests_, ec)) fs::remove(e.path(), ec);
  bool gone = eventually([&] {
    auto list = pods();
    return list.is_object() && list.contains("items") && list["items"].empty();
  }, std::chrono::seconds(90));
  // Orphans (pods found after a restart that no manifest wants) are not listed: wait for their
  // directories too.
  eventually([&] { return fs::is_empty(root_ + "/pods", ec) || !fs::exists(root_ + "/pods", ec); },
             std::chrono::seconds(30));
  kill_agent(SIGTERM);
  // What the agent must have removed: pod dirs (namespaces, volumes, pod files) and mounts.
  std::string leftovers;
  for (const auto& e : fs::directory_iterator(root_ + "/pods", ec)) leftovers += " " + e.path().string();
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    // The root dir's own shared bind mount (kubelet's setupDataDirs) outlives the agent, as kubelet's does.
    if (line.find(" " + root_ + " ") != std::string::npos && line.find(" " + root_ + "/") == std::string::npos) continue;
    if (line.find(dir_) != std::string::npos) leftovers += " mount:" + line.substr(0, 80);
  }
  auto ctd_left = ns_->cleanup();
  remove_test_state();  // pod cgroups must be gone already; only the QoS parents are removed
  CHECK(gone);
  CHECK(leftovers == "");
  CHECK(ctd_left.empty());
}

NodeUnderlay::NodeUnderlay() {
  auto pid = std::to_string(::getpid());
  n1_ = "na-test-n1-" + pid;
  n2_ = "na-test-n2-" + pid;
  run_command("ip netns delete " + n1_ + " 2>/dev/null; ip netns delete " + n2_ + " 2>/dev/null");
  auto made = run_command(fmt::format(
      "ip netns add {0} && ip netns add {1} && ip -n {0} link set lo up && ip -n {1} link set lo up && "
      "ip link add u1 netns {0} type veth peer name u2 netns {1} && "
      "ip -n {0} addr add 192.168.77.1/24 dev u1 && ip -n {1} addr add 192.168.77.2/24 dev u2 && "
      "ip -n {0} link set u1 up && ip -n {1} link set u2 up && "
      // Real nodes have a default route (a ClusterIP is routed before OUTPUT's DNAT). Here each
      // node's is the other node: a packet to an unknown address bounces between the two until
      // its TTL runs out, and never leaves the machine.
      "ip -n {0} route add default via 192.168.77.2 && ip -n {1} route add default via 192.168.77.1", n1_, n2_));
  REQUIRE(made.exit_code == 0);
}

NodeUnderlay::~NodeUnderlay() { run_command("ip netns delete " + n1_ + "; ip netns delete " + n2_); }

AgentOptions networked_node(const std::string& netns, const std::string& suffix, std::vector<std::string> flags) {
  AgentOptions o;
  o.existing_netns = netns;
  o.network = true;
  o.node_suffix = suffix;
  o.extra_flags = std::move(flags);
  o.extra_flags.insert(o.extra_flags.end(), {"--cluster-cidr", "10.244.0.0/16", "--cluster-dns", "10.96.0.10"});
  return o;
}

std::string curl_in_netns(const std::string& netns, const std::string& ip, int port) {
  return run_command(fmt::format("nsenter --net=/run/netns/{} curl -s --noproxy '*' -m 3 http://{}:{}/index.html",
                                 netns, ip, port)).output;
}

std::string pod_yaml(const std::string& name, const std::string& spec_body) {
  return fmt::format("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {}\nspec:\n{}", name, spec_body);
}

std::string web_pod_yaml(const std::string& name, int host_port) {
  return fmt::format(R"(apiVersion: v1
kind: Pod
metadata:
  name: {}
  labels: {{app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["/bin/sh", "-c"]
    args: ["mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports:
    - name: http
      containerPort: 8080
{})", name, host_port ? fmt::format("      hostPort: {}\n", host_port) : "");
}

std::string sleeper_pod_yaml(const std::string& name) {
  return pod_yaml(name, R"(  terminationGracePeriodSeconds: 1
  containers:
  - name: sh
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
)");
}

}  // namespace nodeagent::testing
