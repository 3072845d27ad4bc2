// Integration test of the cgroupfs driver on this machine's real cgroups (v1 or v2): a pod
// cgroup with limits is created under the prefix nodeagent-test-<pid>, seen in the kernel's
// files, listed, and removed (also while a process is still leaving it); a container cgroup's
// OOM kill is read back through the driver. Needs root. Leftovers of crashed runs
// (nodeagent-test-*) are removed first; our subtree is removed at the end.
#include <catch2/catch.hpp>

#include <linux/magic.h>
#include <signal.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <thread>

#include "runtime/cgroups/cgroup_layout.h"
#include "runtime/cgroups/cgroupfs_driver.h"

namespace fs = std::filesystem;
using namespace nodeagent::runtime::cgroups;

namespace {

const std::string kPrefixStem = "nodeagent-test-";

std::vector<std::string> hierarchy_roots(const CgroupLayout& layout) {
  if (layout.version == CgroupVersion::kV2) return {layout.mount_root};
  std::vector<std::string> roots;
  for (const auto& h : layout.v1_hierarchies) roots.push_back(layout.mount_root + "/" + h);
  return roots;
}

// rmdir depth-first (cgroup dirs can only be removed empty of children).
void remove_cgroup_tree(const fs::path& dir) {
  std::error_code ec;
  for (const auto& child : fs::directory_iterator(dir, ec)) {
    if (child.is_directory()) remove_cgroup_tree(child.path());
  }
  ::rmdir(dir.c_str());
}

struct TestPrefix {
  CgroupLayout layout;
  std::string prefix = kPrefixStem + std::to_string(::getpid());
  TestPrefix() {
    auto detected = detect_layout(prefix);
    REQUIRE(detected.ok());
    layout = *detected;
    wipe(true);
  }
  ~TestPrefix() { wipe(false); }
  void wipe(bool all_runs) {
    for (const auto& root : hierarchy_roots(layout)) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        if (all_runs ? name.rfind(kPrefixStem, 0) == 0 : name == prefix) remove_cgroup_tree(entry.path());
      }
    }
  }
  std::string dir(const std::string& hierarchy, const std::string& relative) const {
    return layout.version == CgroupVersion::kV2 ? layout.mount_root + relative
                                                : layout.mount_root + "/" + hierarchy + relative;
  }
};

std::string read_trimmed(const std::string& path) {
  std::ifstream in(path);
  std::string text(std::istreambuf_iterator<char>(in), {});
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

TEST_CASE("cgroupfs: a pod cgroup gets its limits in the kernel's files and is removed again") {
  TestPrefix test;
  auto manager = make_cgroupfs_manager(test.prefix);
  REQUIRE(manager.ok());
  auto& cgroups = **manager;
  PodResources resources;
  resources.memory_limit_bytes = 64 << 20;
  resources.cpu_shares = 512;
  resources.cpu_quota_us = 50000;
  resources.pids_limit = 50;
  auto created = cgroups.ensure_pod("it-uid-1", QosClass::kBurstable, resources);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  const std::string relative = "/" + test.prefix + "/kubepods/burstable/podit-uid-1";
  CHECK(cgroups.pod_cgroup_path("it-uid-1", QosClass::kBurstable) == relative);

  if (test.layout.version == CgroupVersion::kV1) {
    CHECK(read_trimmed(test.dir("memory", relative) + "/memory.limit_in_bytes") == "67108864");
    CHECK(read_trimmed(test.dir("cpu", relative) + "/cpu.shares") == "512");
    CHECK(read_trimmed(test.dir("cpu", relative) + "/cpu.cfs_quota_us") == "50000");
    CHECK(read_trimmed(test.dir("pids", relative) + "/pids.max") == "50");
    CHECK(read_trimmed(test.dir("cpu", "/" + test.prefix + "/kubepods/besteffort") + "/cpu.shares") == "2");
    for (const auto& root : hierarchy_roots(test.layout)) CHECK(fs::is_directory(root + relative));
  } else {
    CHECK(read_trimmed(test.dir("", relative) + "/memory.max") == "67108864");
    CHECK(read_trimmed(test.dir("", relative) + "/cpu.max") == "50000 100000");
  }

  // Lowering the limit is applied to the same cgroup.
  resources.memory_limit_bytes = 32 << 20;
  REQUIRE(cgroups.ensure_pod("it-uid-1", QosClass::kBurstable, resources).ok());
  const std::string limit_file = test.layout.version == CgroupVersion::kV1
                                     ? test.dir("memory", relative) + "/memory.limit_in_bytes"
                                     : test.dir("", relative) + "/memory.max";
  CHECK(read_trimmed(limit_file) == "33554432");

  auto listed = cgroups.list_pods();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].pod_uid == "it-uid-1");
  CHECK((*listed)[0].qos == QosClass::kBurstable);

  REQUIRE(cgroups.remove_pod("it-uid-1", std::chrono::seconds(5)).ok());
  for (const auto& root : hierarchy_roots(test.layout)) CHECK_FALSE(fs::exists(root + relative));
  CHECK(cgroups.list_pods()->empty());
}

TEST_CASE("cgroupfs: removal waits while the pod's last process is still inside") {
  TestPrefix test;
  auto manager = make_cgroupfs_manager(test.prefix);
  REQUIRE(manager.ok());
  auto& cgroups = **manager;
  REQUIRE(cgroups.ensure_pod("it-uid-2", QosClass::kGuaranteed, PodResources{.memory_limit_bytes = 16 << 20}).ok());
  const std::string relative = cgroups.pod_cgroup_path("it-uid-2", QosClass::kGuaranteed);
  // Like runc would, in a container cgroup below the pod.
  const std::string container = relative + "/ctr1";

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  const std::string memory_root = test.dir(test.layout.version == CgroupVersion::kV1 ? "memory" : "", "");
  fs::create_directory(memory_root + container);
  {
    std::ofstream procs(memory_root + container + "/cgroup.procs");
    procs << child;
  }
  CHECK(read_trimmed(memory_root + container + "/cgroup.procs") == std::to_string(child));

  auto removal = std::async(std::launch::async, [&] { return cgroups.remove_pod("it-uid-2", std::chrono::seconds(10)); });
  CHECK(removal.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);  // busy: still waiting
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto removed = removal.get();
  INFO((removed.ok() ? "" : removed.error().message));
  CHECK(removed.ok());
  CHECK_FALSE(fs::exists(memory_root + relative));

  // With a process that stays, removal gives up after the timeout with Unavailable.
  REQUIRE(cgroups.ensure_pod("it-uid-3", QosClass::kBestEffort, PodResources{}).ok());
  const pid_t stays = ::fork();
  if (stays == 0) {
    ::pause();
    ::_exit(0);
  }
  const std::string pod3 = memory_root + cgroups.pod_cgroup_path("it-uid-3", QosClass::kBestEffort);
  {
    std::ofstream procs(pod3 + "/cgroup.procs");
    procs << stays;
  }
  auto stuck = cgroups.remove_pod("it-uid-3", std::chrono::milliseconds(200));
  CHECK_FALSE(stuck.ok());
  if (!stuck.ok()) CHECK(stuck.error().code == nodeagent::ErrorCode::kUnavailable);
  ::kill(stays, SIGKILL);
  ::waitpid(stays, nullptr, 0);
  CHECK(cgroups.remove_pod("it-uid-3", std::chrono::seconds(5)).ok());
}

TEST_CASE("cgroupfs v2 driver on a real cgroup2 mount: create, list, remove while busy") {
  // On a v2 host this is the main test above; on a hybrid v1 host the empty cgroup2 hierarchy
  // at /sys/fs/cgroup/unified (no controllers) still exercises the v2 directory handling.
  std::string root = "/sys/fs/cgroup";
  struct statfs fs_info {};
  if (::statfs(root.c_str(), &fs_info) != 0 || static_cast<unsigned long>(fs_info.f_type) != CGROUP2_SUPER_MAGIC) {
    root = "/sys/fs/cgroup/unified";
    if (::statfs(root.c_str(), &fs_info) != 0 || static_cast<unsigned long>(fs_info.f_type) != CGROUP2_SUPER_MAGIC) {
      WARN("no cgroup2 mount here: v2 driver not exercised");
      return;
    }
  }
  CgroupLayout layout;
  layout.version = CgroupVersion::kV2;
  layout.mount_root = root;
  layout.prefix = kPrefixStem + "v2-" + std::to_string(::getpid());
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {  // leftovers of crashed runs
    if (entry.path().filename().string().rfind(kPrefixStem + "v2-", 0) == 0) remove_cgroup_tree(entry.path());
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() { remove_cgroup_tree(dir); }
  } cleanup{root + "/" + layout.prefix};
  CgroupfsDriver cgroups(layout, make_linux_cgroup_fs());
  PodResources resources;
  resources.memory_limit_bytes = 64 << 20;
  auto created = cgroups.ensure_pod("v2-uid", QosClass::kBurstable, resources);
  INFO((created.ok() ? "" : created.error().message));
  REQUIRE(created.ok());
  const std::string pod_dir = root + cgroups.pod_cgroup_path("v2-uid", QosClass::kBurstable);
  CHECK(fs::is_directory(pod_dir));
  CHECK(fs::is_directory(root + "/" + layout.prefix + "/kubepods/besteffort"));
  if (fs::exists(pod_dir + "/memory.max")) CHECK(read_trimmed(pod_dir + "/memory.max") == "67108864");
  auto listed = cgroups.list_pods();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].pod_uid == "v2-uid");

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  fs::create_directory(pod_dir + "/ctr");
  {
    std::ofstream procs(pod_dir + "/ctr/cgroup.procs");
    procs << child;
  }
  CHECK(read_trimmed(pod_dir + "/ctr/cgroup.procs") == std::to_string(child));
  auto removal = std::async(std::launch::async, [&] { return cgroups.remove_pod("v2-uid", std::chrono::seconds(10)); });
  CHECK(removal.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  CHECK(removal.get().ok());
  CHECK_FALSE(fs::exists(pod_dir));
}

TEST_CASE("cgroupfs: the driver reads a container cgroup's OOM kills back from the kernel") {
  TestPrefix test;
  auto manager = make_cgroupfs_manager(test.prefix);
  REQUIRE(manager.ok());
  auto& cgroups = **manager;
  REQUIRE(cgroups.ensure_pod("it-uid-oom", QosClass::kBurstable, PodResources{}).ok());
  // The container cgroup with its own limit, as runc makes it from the cgroupsPath.
  const std::string container = cgroups.container_cgroups_path("it-uid-oom", QosClass::kBurstable, "hog");
  const bool v1 = test.layout.version == CgroupVersion::kV1;
  const std::string memory_dir = test.dir(v1 ? "memory" : "", container);
  fs::create_directory(memory_dir);
  std::ofstream(memory_dir + (v1 ? "/memory.limit_in_bytes" : "/memory.max")) << (8 << 20);
  if (v1 && fs::exists(memory_dir + "/memory.memsw.limit_in_bytes")) {
    std::ofstream(memory_dir + "/memory.memsw.limit_in_bytes") << (8 << 20);  // no way out through swap
  }
  CHECK_FALSE(cgroups.oom_killed(container));

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::ofstream(memory_dir + "/cgroup.procs") << ::getpid();
    for (;;) {
      auto* page = static_cast<volatile char*>(::malloc(1 << 20));
      if (!page) ::_exit(2);
      for (int i = 0; i < (1 << 20); i += 4096) page[i] = 1;  // touch it: charge the cgroup
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(cgroups.oom_killed(container));
  CHECK_FALSE(cgroups.oom_killed(cgroups.container_cgroups_path("it-uid-oom", QosClass::kBurstable, "other")));
  CHECK(cgroups.remove_pod("it-uid-oom", std::chrono::seconds(5)).ok());
}
