// Integration test of SandboxManagerImpl against the real kernel: namespaces, bind mounts, the
// pid-namespace holder, adoption by a new manager instance, and leak-free removal. Needs root.
// Everything lives under /tmp/na-sbx-test-<pid>; leftovers of crashed runs are removed first.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>
#include <sstream>
#include <thread>

#include "runtime/sandbox/ns_mounts.h"
#include "runtime/sandbox/pid_holder.h"
#include "runtime/sandbox/sandbox_manager_impl.h"

namespace fs = std::filesystem;
using nodeagent::runtime::SandboxConfig;
using nodeagent::runtime::SandboxManagerImpl;
namespace sbx = nodeagent::runtime::sandbox;

namespace {

const std::string kPrefix = "/tmp/na-sbx-test-";

// Removes every sandbox under `root` (stopping holders), then any mount left, then the dir.
void wipe_root(const std::string& root) {
  if (fs::exists(root + "/pods")) {
    SandboxManagerImpl cleaner(root, {NA_PAUSE_BIN});
    for (const auto& pod : fs::directory_iterator(root + "/pods")) {
      cleaner.remove_sandbox(pod.path().filename().string()).ignore_error();
    }
  }
  sbx::unmount_all_under(root).ignore_error();
  std::error_code ec;
  fs::remove_all(root, ec);
}

// Holders are reparented to init, which reaps them when it gets to it (on this VM's init, a
// few seconds later). The suite's leak check counts zombies too, so tests wait for the reaping.
std::vector<int>& holders_seen() {
  static std::vector<int> pids;
  return pids;
}

void wait_until_reaped(int pid) {
  for (int i = 0; i < 1000 && ::access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// One root dir per test run; wiped at start (leftovers of crashed runs) and at the end.
struct TestRoot {
  std::string path = kPrefix + std::to_string(::getpid());
  TestRoot() {
    for (const auto& entry : fs::directory_iterator("/tmp")) {
      if (entry.path().string().rfind(kPrefix, 0) == 0) wipe_root(entry.path().string());
    }
  }
  ~TestRoot() {
    wipe_root(path);
    for (int pid : holders_seen()) wait_until_reaped(pid);
    holders_seen().clear();
  }
};

// Runs `fn` on a fresh thread that first joins the namespace at `ns_path`.
template <typename T>
T in_namespace(const std::string& ns_path, int nstype, std::function<T()> fn) {
  T result{};
  std::thread t([&] {
    const int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(::setns(fd, nstype) == 0);
    ::close(fd);
    result = fn();
  });
  t.join();
  return result;
}

std::string hostname_in(const std::string& uts_path) {
  return in_namespace<std::string>(uts_path, CLONE_NEWUTS, [] {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return std::string(name);
  });
}

bool loopback_up_in(const std::string& net_path) {
  return in_namespace<bool>(net_path, CLONE_NEWNET, [] {
    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq req {};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    const bool up = ::ioctl(sock, SIOCGIFFLAGS, &req) == 0 && (req.ifr_flags & IFF_UP);
    ::close(sock);
    return up;
  });
}

bool process_gone_or_zombie(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return true;
  const char state = stat[stat.rfind(')') + 2];
  return state == 'Z' || state == 'X';
}

int parent_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  char state = 0;
  int ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// "NSpid:\t<host pid>\t<pid in the namespace>" from /proc/<pid>/status.
std::string nspid_line(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("NSpid:", 0) == 0) return line;
  }
  return "";
}

SandboxConfig pod(const std::string& uid) {
  SandboxConfig config;
  config.pod_uid = uid;
  config.hostname = "web-" + uid;
  return config;
}

}  // namespace

TEST_CASE("sandbox: net, ipc and uts namespaces are created, distinct from the host's, and set up") {
  TestRoot root;
  SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
  auto info = manager.ensure_sandbox(pod("uid-a"));
  REQUIRE(info.ok());
  CHECK(info->dir == root.path + "/pods/uid-a/ns");
  REQUIRE(info->netns_path == info->dir + "/net");
  REQUIRE(info->ipcns_path == info->dir + "/ipc");
  REQUIRE(info->utsns_path == info->dir + "/uts");
  CHECK(info->pidns_path.empty());
  CHECK(info->holder_pid == 0);

  for (const std::string kind : {"net", "ipc", "uts"}) {
    const auto pod_inode = sbx::namespace_inode(info->dir + "/" + kind);
    INFO(kind);
    CHECK(sbx::is_namespace_mount(info->dir + "/" + kind));
    CHECK(pod_inode != 0);
    CHECK(pod_inode != sbx::namespace_inode("/proc/self/ns/" + kind));
  }
  CHECK(hostname_in(info->utsns_path) == "web-uid-a");
  CHECK(loopback_up_in(info->netns_path));

  // Two pods never share a namespace.
  auto other = manager.ensure_sandbox(pod("uid-b"));
  REQUIRE(other.ok());
  CHECK(sbx::namespace_inode(other->netns_path) != sbx::namespace_inode(info->netns_path));
}

TEST_CASE("sandbox: ensure is idempotent and mounts each namespace once") {
  TestRoot root;
  SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
  auto config = pod("uid-idem");
  config.share_process_namespace = true;
  auto first = manager.ensure_sandbox(config);
  REQUIRE(first.ok());
  holders_seen().push_back(first->holder_pid);
  auto mounts_before = sbx::mounts_under(first->dir);
  REQUIRE(mounts_before.ok());
  // the dir itself + net, ipc, uts, pid
  CHECK(mounts_before->size() == 5);

  auto second = manager.ensure_sandbox(config);
  REQUIRE(second.ok());
  CHECK(second->holder_pid == first->holder_pid);
  for (const auto& path : {second->netns_path, second->ipcns_path, second->utsns_path, second->pidns_path}) {
    CHECK(sbx::namespace_inode(path) != 0);
  }
  CHECK(sbx::namespace_inode(second->netns_path) == sbx::namespace_inode(first->netns_path));
  CHECK(sbx::namespace_inode(second->pidns_path) == sbx::namespace_inode(first->pidns_path));
  auto mounts_after = sbx::mounts_under(first->dir);
  REQUIRE(mounts_after.ok());
  CHECK(*mounts_after == *mounts_before);
}

TEST_CASE("sandbox: shared pid namespace has a detached holder as pid 1, found again after a restart") {
  TestRoot root;
  int holder = 0;
  std::string pidns;
  {
    SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
    auto config = pod("uid-pid");
    config.share_process_namespace = true;
    auto info = manager.ensure_sandbox(config);
    REQUIRE(info.ok());
    holder = info->holder_pid;
    holders_seen().push_back(holder);
    pidns = info->pidns_path;
    REQUIRE(holder > 0);
    CHECK(pidns == info->dir + "/pid");
    CHECK(sbx::namespace_inode(pidns) == sbx::namespace_inode("/proc/" + std::to_string(holder) + "/ns/pid"));
    CHECK(sbx::namespace_inode(pidns) != sbx::namespace_inode("/proc/self/ns/pid"));
  }
  // pid 1 inside, another session, not our child: it survives the agent.
  CHECK(nspid_line(holder) == "NSpid:\t" + std::to_string(holder) + "\t1");
  CHECK(::getsid(holder) != ::getsid(0));  // the middle child's session, not ours
  CHECK(parent_of(holder) != ::getpid());
  std::ifstream pid_file(root.path + "/pods/uid-pid/ns/holder.pid");
  int recorded = 0;
  pid_file >> recorded;
  CHECK(recorded == holder);

  // "Agent restart": a new manager finds the same sandbox on disk.
  SandboxManagerImpl restarted(root.path, {NA_PAUSE_BIN});
  auto found = restarted.find_sandbox("uid-pid");
  REQUIRE(found.ok());
  CHECK(found->holder_pid == holder);
  CHECK(found->pidns_path == pidns);
  CHECK(found->netns_path == root.path + "/pods/uid-pid/ns/net");
  CHECK(hostname_in(found->utsns_path) == "web-uid-pid");

  // A dead holder is replaced by the next ensure (new namespace, new pid).
  REQUIRE(::kill(holder, SIGKILL) == 0);
  for (int i = 0; i < 200 && !process_gone_or_zombie(holder); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto after_death = restarted.find_sandbox("uid-pid");
  REQUIRE(after_death.ok());
  CHECK(after_death->holder_pid == 0);
  auto config = pod("uid-pid");
  config.share_process_namespace = true;
  auto revived = restarted.ensure_sandbox(config);
  REQUIRE(revived.ok());
  holders_seen().push_back(revived->holder_pid);
  CHECK(revived->holder_pid > 0);
  CHECK(revived->holder_pid != holder);
  CHECK(sbx::holder_is_alive(revived->holder_pid, sbx::namespace_inode(revived->pidns_path)));
}

TEST_CASE("sandbox: remove leaves no mount, no holder and no directory") {
  TestRoot root;
  SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
  auto config = pod("uid-rm");
  config.share_process_namespace = true;
  auto info = manager.ensure_sandbox(config);
  REQUIRE(info.ok());
  const int holder = info->holder_pid;
  holders_seen().push_back(holder);
  REQUIRE(holder > 0);

  SandboxManagerImpl other_instance(root.path, {NA_PAUSE_BIN});
  REQUIRE(other_instance.remove_sandbox("uid-rm").ok());
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  int leftovers = 0;
  while (std::getline(mountinfo, line)) {
    if (line.find(root.path + "/pods/uid-rm") != std::string::npos) ++leftovers;
  }
  CHECK(leftovers == 0);
  CHECK(process_gone_or_zombie(holder));
  CHECK_FALSE(fs::exists(info->dir));
  CHECK(manager.find_sandbox("uid-rm").error().code == nodeagent::ErrorCode::kNotFound);
  // Removing again is not an error.
  CHECK(manager.remove_sandbox("uid-rm").ok());
}

TEST_CASE("sandbox: host namespaces are not created") {
  TestRoot root;
  SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
  auto config = pod("uid-host");
  config.host_network = true;
  config.host_ipc = true;
  config.host_pid = true;
  config.share_process_namespace = true;  // ignored with hostPID
  auto info = manager.ensure_sandbox(config);
  REQUIRE(info.ok());
  CHECK(info->netns_path.empty());
  CHECK(info->ipcns_path.empty());
  CHECK(info->utsns_path.empty());
  CHECK(info->pidns_path.empty());
  CHECK(info->holder_pid == 0);
  CHECK_FALSE(sbx::is_namespace_mount(info->dir + "/net"));

  auto ipc_only = pod("uid-hostnet");
  ipc_only.host_network = true;
  auto info2 = manager.ensure_sandbox(ipc_only);
  REQUIRE(info2.ok());
  CHECK(info2->netns_path.empty());
  CHECK(info2->utsns_path.empty());
  CHECK_FALSE(info2->ipcns_path.empty());
}

TEST_CASE("sandbox: bad uids and a missing holder binary are errors") {
  TestRoot root;
  SandboxManagerImpl manager(root.path, {NA_PAUSE_BIN});
  CHECK(manager.ensure_sandbox(pod("../x")).error().code == nodeagent::ErrorCode::kInvalid);
  CHECK(manager.find_sandbox("nope").error().code == nodeagent::ErrorCode::kNotFound);

  SandboxManagerImpl broken(root.path, {"/nonexistent/nodeagent-pause"});
  auto config = pod("uid-nobin");
  config.share_process_namespace = true;
  auto info = broken.ensure_sandbox(config);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().message.find("/nonexistent/nodeagent-pause") != std::string::npos);
}
