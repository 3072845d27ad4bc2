// volumeMounts end to end, real daemon, containerd and runc: a subPath through a symlink that a
// container planted (`ln -s / x`, CVE-2017-1002101) is refused with CreateContainerConfigError
// and a Failed event, and the host is left as it was; nested and file subPaths, subPathExpr
// from the downward API, readOnly (and recursiveReadOnly) mounts, HostToContainer propagation
// of a mount made on the node after the container started; no subPath mount outlives the pod.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string waiting_reason(const json& pod, const std::string& container) {
  auto st = container_status(pod, container);
  if (st.is_null() || !st["state"].contains("waiting")) return "";
  return st["state"]["waiting"].value("reason", "");
}

// Mode and owner of a few host paths a symlink out of a volume would reach.
std::map<std::string, std::string> host_state() {
  std::map<std::string, std::string> state;
  for (const char* p : {"/", "/etc", "/tmp", "/root", "/var", "/usr"}) {
    struct stat st {};
    if (::stat(p, &st) == 0) state[p] = fmt::format("{:o} {}:{}", st.st_mode, st.st_uid, st.st_gid);
  }
  return state;
}

bool mountinfo_contains(const std::string& needle) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos) return true;
  return false;
}

const char* kSleep = R"(    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
)";

}  // namespace

TEST_CASE("a subPath through a symlink a container planted is refused, and the host is untouched", "[e2e][subpath]") {
  AgentHarness agent;
  const auto before = host_state();
  agent.write_manifest("attack.yaml", pod_yaml("attack", fmt::format(R"(  terminationGracePeriodSeconds: 1
  volumes: [{{name: data, emptyDir: {{}}}}]
  initContainers:
  - name: plant
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "ln -s / /data/x && ln -s ../../../../../../../../etc /data/up"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  containers:
  - name: victim
{}    volumeMounts:
    - {{name: data, mountPath: /host, subPath: x}}
  - name: victim2
{}    volumeMounts:
    - {{name: data, mountPath: /host/etc, subPath: up/made-by-agent}}
)", kSleep, kSleep)));
  const auto name = "attack-" + agent.node();
  REQUIRE(AgentHarness::eventually([&] {
    auto pod = agent.pod("attack");
    return waiting_reason(pod, "victim") == "CreateContainerConfigError" &&
           waiting_reason(pod, "victim2") == "CreateContainerConfigError";
  }, 60s));
  auto pod = agent.pod("attack");
  CHECK_THAT(container_status(pod, "victim")["state"]["waiting"].value("message", ""),
             Catch::Contains("failed to prepare subPath for volumeMount \"data\" of container \"victim\": subPath \"x\" "
                             "is outside the volume"));
  CHECK_THAT(agent.nodectl("events " + name).output, Catch::Contains("is outside the volume"));
  CHECK_THAT(agent.nodectl("events " + name).output, Catch::Contains("Failed"));
  // The refusal holds on every retry: still waiting, never started.
  std::this_thread::sleep_for(3s);
  pod = agent.pod("attack");
  CHECK(waiting_reason(pod, "victim") == "CreateContainerConfigError");
  CHECK_FALSE(running(pod, "victim"));

  CHECK(host_state() == before);
  CHECK_FALSE(fs::exists("/etc/made-by-agent"));
  CHECK_FALSE(mountinfo_contains("volume-subpaths"));
}

TEST_CASE("nested, file and subPathExpr subPaths, readOnly and HostToContainer mounts work from inside",
          "[e2e][subpath]") {
  AgentHarness agent;
  agent.write_manifest("good.yaml", pod_yaml("good", fmt::format(R"y(  terminationGracePeriodSeconds: 1
  volumes: [{{name: data, emptyDir: {{}}}}]
  initContainers:
  - name: prep
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo hello > /data/greeting.txt && mkdir -p /data/prop"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  containers:
  - name: app
{}    env:
    - name: POD_NAME
      valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
    volumeMounts:
    - {{name: data, mountPath: /nested, subPath: a/b/c}}
    - {{name: data, mountPath: /etc/greeting, subPath: greeting.txt}}
    - {{name: data, mountPath: /expr, subPathExpr: "pods/$(POD_NAME)"}}
    - {{name: data, mountPath: /ro, readOnly: true}}
    - {{name: data, mountPath: /rro, readOnly: true, recursiveReadOnly: IfPossible}}
    - {{name: data, mountPath: /prop, subPath: prop, mountPropagation: HostToContainer}}
    - {{name: data, mountPath: /whole, mountPropagation: HostToContainer}}
)y", kSleep)));
  const auto name = "good-" + agent.node();
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("good"), "app"); }, 60s));
  const std::string uid = agent.pod("good")["metadata"]["uid"];
  const auto volume = agent.root_dir() + "/pods/" + uid + "/volumes/kubernetes.io~empty-dir/data";
  auto exec = [&](const std::string& script) { return agent.nodectl("exec " + name + " -c app -- sh -c '" + script + "'"); };

  // Nested subPath, created on demand, shared with the volume.
  auto nested = exec("echo inside > /nested/f && cat /nested/f");
  CHECK(nested.exit_code == 0);
  CHECK_THAT(nested.output, Catch::Contains("inside"));
  CHECK(fs::is_directory(volume + "/a/b/c"));
  std::ifstream nested_file(volume + "/a/b/c/f");
  std::string word;
  nested_file >> word;
  CHECK(word == "inside");
  // The runtime got the subPath's own target, not a path inside the volume.
  CHECK(mountinfo_contains(agent.root_dir() + "/pods/" + uid + "/volume-subpaths/data/app/0"));

  // File subPath.
  auto greeting = exec("cat /etc/greeting");
  CHECK(greeting.exit_code == 0);
  CHECK_THAT(greeting.output, Catch::Contains("hello"));

  // subPathExpr with $(POD_NAME) from the downward API.
  CHECK(exec("touch /expr/made").exit_code == 0);
  CHECK(fs::exists(volume + "/pods/" + name + "/made"));

  // readOnly: writes fail; the mount is ro.
  CHECK(exec("touch /ro/nope").exit_code != 0);
  CHECK(exec("touch /rro/nope").exit_code != 0);
  CHECK_FALSE(fs::exists(volume + "/nope"));
  CHECK_THAT(exec("grep \" /ro \" /proc/mounts").output, Catch::Contains(" ro,"));

  // HostToContainer: a mount made on the node under the volume after the container started
  // reaches the container (the root dir is a shared mount, the container's copy its slave).
  fs::create_directories(volume + "/prop/sub");
  fs::create_directories(volume + "/late");
  REQUIRE(run_command("mount -t tmpfs -o size=1m na-test-prop " + volume + "/prop/sub && echo propagated > " +
                      volume + "/prop/sub/marker && mount -t tmpfs -o size=1m na-test-late " + volume +
                      "/late && echo late > " + volume + "/late/marker").exit_code == 0);
  auto seen = exec("cat /whole/late/marker");
  auto seen_sub = exec("cat /prop/sub/marker");
  auto not_seen = exec("ls /ro/late/marker");  // None (rprivate): no propagation
  // Unmount before anything else can fail: the pod's teardown must not meet them.
  run_command("umount -l " + volume + "/prop/sub; umount -l " + volume + "/late");
  CHECK(seen.exit_code == 0);
  CHECK_THAT(seen.output, Catch::Contains("late"));
  CHECK(seen_sub.exit_code == 0);
  CHECK_THAT(seen_sub.output, Catch::Contains("propagated"));
  CHECK(not_seen.exit_code != 0);

  // After the pod is deleted no subPath mount remains.
  agent.remove_manifest("good.yaml");
  REQUIRE(AgentHarness::eventually([&] { return agent.pod("good").is_null(); }, 60s));
  CHECK_FALSE(mountinfo_contains("volume-subpaths"));
  CHECK_FALSE(fs::exists(agent.root_dir() + "/pods/" + uid));
}

TEST_CASE("Bidirectional from a privileged container reaches the node; subPath mounts go after an agent restart",
          "[e2e][subpath]") {
  AgentHarness agent;
  agent.write_manifest("bidi.yaml", pod_yaml("bidi", R"y(  terminationGracePeriodSeconds: 1
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    securityContext: {privileged: true}
    command: ["sh", "-c", "mkdir -p /shared/m && mount -t tmpfs na-test-bidi /shared/m && echo up > /shared/m/marker && trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    volumeMounts:
    - {name: data, mountPath: /shared, mountPropagation: Bidirectional}
    - {name: data, mountPath: /sub, subPath: s}
)y"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("bidi"), "app"); }, 60s));
  const std::string uid = agent.pod("bidi")["metadata"]["uid"];
  const auto volume = agent.root_dir() + "/pods/" + uid + "/volumes/kubernetes.io~empty-dir/data";
  const bool seen = AgentHarness::eventually([&] { return fs::exists(volume + "/m/marker"); }, 10s);
  run_command("umount -l " + volume + "/m");  // the node's copy; the pod's teardown must not meet it
  CHECK(seen);

  // The agent dies with the subPath mount in place; the pod goes while it is down.
  REQUIRE(mountinfo_contains("/pods/" + uid + "/volume-subpaths/data/app/1"));
  agent.kill_agent(SIGKILL);
  agent.remove_manifest("bidi.yaml");
  agent.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return agent.pod("bidi").is_null(); }, 60s));
  REQUIRE(AgentHarness::eventually([&] { return !fs::exists(agent.root_dir() + "/pods/" + uid); }, 30s));
  CHECK_FALSE(mountinfo_contains("volume-subpaths"));
}
