// The daemon end to end on the lifecycle of volumes: after a kill -9 the volumes of running pods
// are found again (no remount, no data lost); a kill -9 at each step of a pod's cleanup leaves
// nothing behind once the agent is back, and never deletes through a mount (a hostPath's files
// survive); many create/delete cycles leave no mount, tmpfs or directory. Real containerd, real
// binaries, real mounts.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool running(const json& pod) {
  if (pod.is_null() || !pod["status"].contains("containerStatuses")) return false;
  for (const auto& c : pod["status"]["containerStatuses"])
    if (!c["state"].contains("running")) return false;
  return !pod["status"]["containerStatuses"].empty();
}

// Lines of this process's mount table that mention `text`.
std::vector<std::string> mounts_with(const std::string& text) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(text) != std::string::npos) out.push_back(line);
  return out;
}

// A pod whose container writes into a disk emptyDir, a Memory emptyDir (a tmpfs) and a hostPath.
std::string volumes_pod(const std::string& name, const std::string& host_dir) {
  return fmt::format(R"(apiVersion: v1
kind: Pod
metadata:
  name: {0}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo disk > /cache/f; echo mem > /mem/f; echo host-{0} > /host/f-{0}; exec sleep 3600"]
    volumeMounts:
    - {{name: cache, mountPath: /cache}}
    - {{name: mem, mountPath: /mem}}
    - {{name: host, mountPath: /host}}
  volumes:
  - name: cache
    emptyDir: {{}}
  - name: mem
    emptyDir: {{medium: Memory, sizeLimit: 1Mi}}
  - name: host
    hostPath: {{path: {1}, type: DirectoryOrCreate}}
)",
                     name, host_dir);
}

std::string uid_of(const json& pod) { return pod["metadata"].value("uid", ""); }

}  // namespace

TEST_CASE("kill -9 of the agent with mounted volumes: they are found again, not remounted, nothing lost", "[e2e][volumes]") {
  AgentHarness agent;
  const auto host_dir = agent.root_dir() + "-host";
  agent.write_manifest("vol.yaml", volumes_pod("vol", host_dir));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("vol")); }, 60s));
  const auto uid = uid_of(agent.pod("vol"));
  const auto volumes = agent.root_dir() + "/pods/" + uid + "/volumes/kubernetes.io~empty-dir";
  REQUIRE(AgentHarness::eventually([&] { return read_file(volumes + "/mem/f") == "mem"; }, 10s));
  const auto mem_mounts = mounts_with(volumes + "/mem");
  REQUIRE(mem_mounts.size() == 1);
  const int pid = agent.container_pid("vol", "app");

  agent.kill_agent(SIGKILL);
  agent.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("vol")); }, 30s));
  std::this_thread::sleep_for(3s);  // a few syncs, each setting the volumes up again

  CHECK(agent.container_pid("vol", "app") == pid);
  CHECK(mounts_with(volumes + "/mem") == mem_mounts);  // the same mount (same id), nothing stacked on it
  CHECK(read_file(volumes + "/mem/f") == "mem");
  CHECK(read_file(volumes + "/cache/f") == "disk");
  CHECK(read_file(host_dir + "/f-vol") == "host-vol");
  agent.remove_manifest("vol.yaml");
  REQUIRE(AgentHarness::eventually([&] { return agent.pod("vol").is_null(); }, 30s));
  CHECK(mounts_with("/pods/" + uid).empty());
  CHECK(read_file(host_dir + "/f-vol") == "host-vol");  // a hostPath is the node's: never removed
  fs::remove_all(host_dir);
}

TEST_CASE("a kill -9 at each step of a pod's cleanup leaves nothing behind after the restart", "[e2e][volumes]") {
  const auto point = GENERATE(as<std::string>{}, "pod-cleanup/containers-removed", "pod-cleanup/network-torn-down",
                              "pod-cleanup/sandbox-removed", "pod-cleanup/volumes-torn-down",
                              "pod-cleanup/cgroup-removed");
  AgentHarness agent;
  agent.kill_agent(SIGTERM);
  agent.start_agent({"NODEAGENT_FAILPOINTS=" + point});
  const auto host_dir = agent.root_dir() + "-host";
  agent.write_manifest("vol.yaml", volumes_pod("vol", host_dir));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("vol")); }, 60s));
  const auto uid = uid_of(agent.pod("vol"));
  REQUIRE(AgentHarness::eventually([&] { return read_file(host_dir + "/f-vol") == "host-vol"; }, 10s));

  agent.remove_manifest("vol.yaml");
  INFO("failpoint " << point);
  REQUIRE(agent.wait_agent_exit(60s) == SIGKILL);
  CHECK(agent.agent_log().find("failpoint " + point + ": SIGKILL") != std::string::npos);

  agent.start_agent();
  const auto pod_dir = agent.root_dir() + "/pods/" + uid;
  CHECK(AgentHarness::eventually([&] { return !fs::exists(pod_dir); }, 30s));
  CHECK(mounts_with("/pods/" + uid).empty());
  bool log_dir_left = false;
  for (const auto& e : fs::directory_iterator(agent.log_dir()))
    if (e.path().filename().string().find(uid) != std::string::npos) log_dir_left = true;
  CHECK_FALSE(log_dir_left);
  CHECK(read_file(host_dir + "/f-vol") == "host-vol");
  fs::remove_all(host_dir);
}

TEST_CASE("200 pod create/delete cycles with volumes leave no mount, tmpfs or directory behind", "[e2e][volumes]") {
  AgentHarness agent;
  const auto host_dir = agent.root_dir() + "-host";
  constexpr int kRounds = 10, kPods = 20;  // 200 lifecycles, 20 at a time
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPods; ++i)
      agent.write_manifest(fmt::format("p{}.yaml", i), volumes_pod(fmt::format("p{}", i), host_dir));
    INFO("round " << round);
    REQUIRE(AgentHarness::eventually([&] {
      auto list = agent.pods();
      if (!list.contains("items") || list["items"].size() != kPods) return false;
      for (const auto& p : list["items"])
        if (!running(p)) return false;
      return true;
    }, 120s));
    for (int i = 0; i < kPods; ++i) agent.remove_manifest(fmt::format("p{}.yaml", i));
    REQUIRE(AgentHarness::eventually([&] {
      auto list = agent.pods();
      return list.contains("items") && list["items"].empty();
    }, 120s));
  }
  CHECK(AgentHarness::eventually([&] { return fs::is_empty(agent.root_dir() + "/pods"); }, 30s));
  CHECK(mounts_with(agent.root_dir() + "/").empty());  // the root dir itself may be a (shared) mount
  CHECK(fs::is_empty(agent.log_dir()));
  fs::remove_all(host_dir);
}
