// PersistentVolumeClaims end to end: the real daemon binds claims from the manifest dir to PVs
// and mounts them into real containers. local PVs on real loop devices (losetup on files in a
// temp dir, always detached at the end): formatted as ext4 on first use only, data kept across
// pods and agent restarts, a pre-existing filesystem never reformatted, Block mode through
// volumeDevices; hostPath PVs; readOnly claims; ReadWriteOncePod; the unbound claim's message.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"
#include "test/support/temp_dir.h"
#include "util/mountinfo.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A loop device over a sparse file. Detached on scope exit, even when the test failed, after
// lazily unmounting whatever still mounts it: declare it before the AgentHarness, so that the
// agent has cleaned up (and the harness checked for leaks) first.
class LoopDevice {
 public:
  LoopDevice(const std::string& dir, const std::string& name, int mib) {
    file_ = dir + "/" + name + ".img";
    REQUIRE(run_command(fmt::format("truncate -s {}M {}", mib, file_)).exit_code == 0);
    auto r = run_command("losetup --find --show " + file_);
    REQUIRE(r.exit_code == 0);
    device_ = trim(r.output);
    REQUIRE(device_.rfind("/dev/loop", 0) == 0);
  }
  ~LoopDevice() {
    auto mounts = nodeagent::read_mountinfo();
    if (mounts.ok())
      for (auto it = mounts->rbegin(); it != mounts->rend(); ++it)
        if (it->source == device_) ::umount2(it->mount_point.c_str(), MNT_DETACH);
    run_command("losetup -d " + device_);
  }
  const std::string& path() const { return device_; }

 private:
  std::string file_, device_;
};

std::string waiting_reason(const json& pod, const std::string& container) {
  if (pod.is_null() || !pod["status"].contains("containerStatuses")) return "";
  for (const auto& c : pod["status"]["containerStatuses"])
    if (c["name"] == container && c["state"].contains("waiting")) return c["state"]["waiting"].value("reason", "");
  return "";
}

std::string local_pv(const std::string& name, const std::string& path, const std::string& extra = "") {
  return fmt::format(R"(apiVersion: v1
kind: PersistentVolume
metadata: {{name: {}}}
spec:
  capacity: {{storage: 64Mi}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  local: {{path: {}, fsType: ext4}}
{})", name, path, extra);
}

std::string claim(const std::string& name, const std::string& extra = "", const std::string& modes = "ReadWriteOnce") {
  return fmt::format(R"(apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {}}}
spec:
  accessModes: [{}]
  resources: {{requests: {{storage: 32Mi}}}}
{})", name, modes, extra);
}

// A pod that runs `script` and then sleeps, with the claim at /data (or `/dev/xvda` in Block mode).
std::string claim_pod(const std::string& name, const std::string& claim_name, const std::string& script,
                      bool read_only = false, bool block = false) {
  const std::string attach = block ? "    volumeDevices: [{name: data, devicePath: /dev/xvda}]\n"
                                   : "    volumeMounts: [{name: data, mountPath: /data}]\n";
  return pod_yaml(name, fmt::format(R"(  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "{}; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
{}  volumes:
  - name: data
    persistentVolumeClaim: {{claimName: {}, readOnly: {}}}
)", script, attach, claim_name, read_only ? "true" : "false"));
}

std::string exec(const AgentHarness& agent, const std::string& pod, const std::string& cmd) {
  return trim(agent.nodectl("exec " + pod + "-" + agent.node() + " -c app -- sh -c '" + cmd + "'").output);
}

int mounts_of(const std::string& device) {
  int n = 0;
  auto mounts = nodeagent::read_mountinfo();
  if (mounts.ok())
    for (const auto& m : *mounts) n += m.source == device;
  return n;
}

std::string blkid_type(const std::string& device) {
  return trim(run_command("blkid -p -s TYPE -o value " + device).output);
}

}  // namespace

TEST_CASE("an ext4 local PV is formatted on first use and keeps its data across pods and agent restarts", "[e2e][pvc]") {
  TempDir disks("na-pvc-disks");
  LoopDevice disk(disks.path(), "disk", 64);
  REQUIRE(blkid_type(disk.path()).empty());
  AgentHarness agent;
  const auto global = agent.root_dir() + "/plugins/kubernetes.io/local-volume/mounts/pv-disk";

  agent.write_manifest("pv.yaml", local_pv("pv-disk", disk.path()));
  agent.write_manifest("pvc.yaml", claim("data"));
  agent.write_manifest("writer.yaml", claim_pod("writer", "data", "echo kept > /data/file; sync"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("writer"), "app"); }, 60s));
  CHECK(blkid_type(disk.path()) == "ext4");
  CHECK(nodeagent::is_mount_point(global));
  REQUIRE(AgentHarness::eventually([&] { return exec(agent, "writer", "cat /data/file") == "kept"; }, 10s));
  const int mounts = mounts_of(disk.path());  // the node mount and the pod's bind
  CHECK(mounts == 2);

  // kill -9 and a new agent: the pod keeps running, nothing is mounted again.
  agent.kill_agent(SIGKILL);
  agent.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("writer"), "app"); }, 30s));
  std::this_thread::sleep_for(2s);  // a few syncs of the adopted pod
  CHECK(mounts_of(disk.path()) == mounts);
  CHECK(exec(agent, "writer", "cat /data/file") == "kept");

  // The pod goes: its bind and then the node mount go, the data stays on the disk.
  agent.remove_manifest("writer.yaml");
  REQUIRE(AgentHarness::eventually([&] { return agent.pod("writer").is_null(); }, 30s));
  REQUIRE(AgentHarness::eventually([&] { return mounts_of(disk.path()) == 0; }, 10s));
  CHECK_FALSE(std::filesystem::exists(global));

  // A new pod on the same claim reads it back: not reformatted.
  agent.write_manifest("reader.yaml", claim_pod("reader", "data", "true"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("reader"), "app"); }, 60s));
  CHECK(exec(agent, "reader", "cat /data/file") == "kept");
  // The binding is on disk for the next agent.
  std::ifstream bindings(agent.root_dir() + "/pv-binder/bindings.json");
  std::string text((std::istreambuf_iterator<char>(bindings)), {});
  CHECK(json::parse(text)["bindings"][0]["volume"] == "pv-disk");
}

TEST_CASE("a local PV that already has a filesystem is mounted as it is, never reformatted", "[e2e][pvc]") {
  TempDir disks("na-pvc-disks");
  LoopDevice disk(disks.path(), "old", 64);
  REQUIRE(run_command("mkfs.ext4 -q -F " + disk.path()).exit_code == 0);
  const auto mnt = disks.file("mnt");
  std::filesystem::create_directories(mnt);
  REQUIRE(run_command(fmt::format("mount {} {} && echo before > {}/marker && umount {}", disk.path(), mnt, mnt, mnt)).exit_code == 0);
  AgentHarness agent;
  agent.write_manifest("pv.yaml", local_pv("pv-old", disk.path()));
  agent.write_manifest("pvc.yaml", claim("old"));
  agent.write_manifest("pod.yaml", claim_pod("old", "old", "true"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("old"), "app"); }, 60s));
  CHECK(exec(agent, "old", "cat /data/marker") == "before");
}

TEST_CASE("a hostPath PV, read-write for one pod and really read-only for a readOnly claim", "[e2e][pvc]") {
  TempDir host("na-pvc-host");
  std::filesystem::create_directories(host.file("share"));
  AgentHarness agent;
  agent.write_manifest("pv.yaml", fmt::format(R"(apiVersion: v1
kind: PersistentVolume
metadata: {{name: pv-host}}
spec:
  capacity: {{storage: 1Gi}}
  accessModes: [ReadWriteOnce]
  hostPath: {{path: {}, type: Directory}}
)", host.file("share")));
  agent.write_manifest("pvc.yaml", claim("share"));
  agent.write_manifest("rw.yaml", claim_pod("rw", "share", "echo from-pod > /data/written"));
  agent.write_manifest("ro.yaml", claim_pod("ro", "share", "true", /*read_only=*/true));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("rw"), "app") && running(agent.pod("ro"), "app"); }, 60s));
  REQUIRE(AgentHarness::eventually([&] { return std::filesystem::exists(host.file("share/written")); }, 10s));
  CHECK(exec(agent, "ro", "cat /data/written") == "from-pod");
  const auto refused = exec(agent, "ro", "echo x > /data/nope 2>&1; echo rc=$?");
  CHECK_THAT(refused, Catch::Contains("Read-only file system"));
  CHECK_THAT(refused, Catch::Contains("rc=1"));  // stdout and stderr may arrive in either order
  CHECK_FALSE(std::filesystem::exists(host.file("share/nope")));
  CHECK(exec(agent, "rw", "touch /data/ok && echo yes") == "yes");
}

TEST_CASE("volumeMode Block: the container gets the device at devicePath and can read and write it", "[e2e][pvc]") {
  TempDir disks("na-pvc-disks");
  LoopDevice disk(disks.path(), "raw", 16);
  AgentHarness agent;
  agent.write_manifest("pv.yaml", fmt::format(R"(apiVersion: v1
kind: PersistentVolume
metadata: {{name: pv-raw}}
spec:
  capacity: {{storage: 64Mi}}
  accessModes: [ReadWriteOnce]
  volumeMode: Block
  local: {{path: {}}}
)", disk.path()));
  agent.write_manifest("pvc.yaml", claim("raw", "  volumeMode: Block\n"));
  agent.write_manifest("pod.yaml", claim_pod("raw", "raw", "true", false, /*block=*/true));
  const bool started = AgentHarness::eventually([&] { return running(agent.pod("raw"), "app"); }, 60s);
  if (!started) FAIL("events:\n" << agent.nodectl("events").output << "\npod:\n" << agent.pod("raw").dump());
  CHECK(exec(agent, "raw", "test -b /dev/xvda && echo block") == "block");
  CHECK(exec(agent, "raw", "echo -n blockdata | dd of=/dev/xvda bs=9 count=1 conv=fsync 2>/dev/null && echo ok") == "ok");
  CHECK(trim(run_command("head -c 9 " + disk.path()).output) == "blockdata");
  CHECK(exec(agent, "raw", "dd if=/dev/xvda bs=9 count=1 2>/dev/null") == "blockdata");
  CHECK(mounts_of(disk.path()) == 0);  // nothing is mounted in Block mode
}

TEST_CASE("a ReadWriteOncePod claim is never mounted by two pods", "[e2e][pvc]") {
  TempDir host("na-pvc-host");
  std::filesystem::create_directories(host.file("once"));
  AgentHarness agent;
  agent.write_manifest("pv.yaml", fmt::format(R"(apiVersion: v1
kind: PersistentVolume
metadata: {{name: pv-once}}
spec:
  capacity: {{storage: 1Gi}}
  accessModes: [ReadWriteOncePod]
  local: {{path: {}}}
)", host.file("once")));
  agent.write_manifest("pvc.yaml", claim("once", "", "ReadWriteOncePod"));
  agent.write_manifest("first.yaml", claim_pod("first", "once", "true"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("first"), "app"); }, 60s));
  agent.write_manifest("second.yaml", claim_pod("second", "once", "true"));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("ReadWriteOncePod access mode") != std::string::npos;
  }, 30s));
  CHECK_THAT(agent.nodectl("events").output,
             Catch::Contains("node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"));
  CHECK(waiting_reason(agent.pod("second"), "app") == "ContainerCreating");
  CHECK(agent.container_pid("second", "app") == 0);
  // Once the first pod is gone, the second gets it.
  agent.remove_manifest("first.yaml");
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("second"), "app"); }, 60s));
}

TEST_CASE("an unbound claim keeps the pod ContainerCreating with the reason, until a PV appears", "[e2e][pvc]") {
  TempDir host("na-pvc-host");
  std::filesystem::create_directories(host.file("later"));
  AgentHarness agent;
  agent.write_manifest("pvc.yaml", claim("wanted"));
  agent.write_manifest("pod.yaml", claim_pod("waiter", "wanted", "true"));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("no persistent volumes available") != std::string::npos;
  }, 30s));
  CHECK_THAT(agent.nodectl("events").output,
             Catch::Contains("error processing PVC default/wanted: PVC default/wanted has non-bound phase (\"Pending\") or "
                             "empty pvc.Spec.VolumeName (\"\"): no persistent volumes available for this claim and no "
                             "storage class is set"));
  CHECK(waiting_reason(agent.pod("waiter"), "app") == "ContainerCreating");
  CHECK(phase(agent.pod("waiter")) == "Pending");
  agent.write_manifest("missing.yaml", claim_pod("orphan", "no-such-claim", "true"));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("persistentvolumeclaim \"no-such-claim\" not found") != std::string::npos;
  }, 30s));
  agent.remove_manifest("missing.yaml");
  // A PV that fits: the claim binds and the pod starts.
  agent.write_manifest("pv.yaml", fmt::format(R"(apiVersion: v1
kind: PersistentVolume
metadata: {{name: pv-later}}
spec:
  capacity: {{storage: 1Gi}}
  accessModes: [ReadWriteOnce]
  local: {{path: {}}}
)", host.file("later")));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("waiter"), "app"); }, 60s));
}
