// Unit tests: the cgroupfs driver's layout, limit files and removal, over a fake filesystem.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fake_cgroup_fs.h"
#include "runtime/cgroups/cgroupfs_driver.h"

using namespace nodeagent::runtime::cgroups;

namespace {

CgroupLayout v1_layout(const std::string& prefix) {
  CgroupLayout layout;
  layout.version = CgroupVersion::kV1;
  layout.mount_root = "/cg";
  layout.v1_hierarchies = {"cpu", "memory", "pids", "cpuset"};
  layout.prefix = prefix;
  return layout;
}

CgroupLayout v2_layout(const std::string& prefix) {
  CgroupLayout layout;
  layout.version = CgroupVersion::kV2;
  layout.mount_root = "/cg";
  layout.prefix = prefix;
  return layout;
}

bool wrote(const FakeCgroupFs::State& s, const std::string& entry) {
  return std::find(s.writes.begin(), s.writes.end(), entry) != s.writes.end();
}

}  // namespace

TEST_CASE("cgroup paths follow kubelet's QoS layout under the prefix") {
  FakeCgroupFs::State state;
  CgroupfsDriver driver(v1_layout("nodeagent-n1"), std::make_unique<FakeCgroupFs>(&state));
  CHECK(driver.pod_cgroup_path("u1", QosClass::kGuaranteed) == "/nodeagent-n1/kubepods/podu1");
  CHECK(driver.pod_cgroup_path("u1", QosClass::kBurstable) == "/nodeagent-n1/kubepods/burstable/podu1");
  CHECK(driver.pod_cgroup_path("u1", QosClass::kBestEffort) == "/nodeagent-n1/kubepods/besteffort/podu1");
  CHECK(driver.container_cgroups_path("u1", QosClass::kBurstable, "c1") == "/nodeagent-n1/kubepods/burstable/podu1/c1");

  FakeCgroupFs::State plain_state;
  CgroupfsDriver plain(v1_layout(""), std::make_unique<FakeCgroupFs>(&plain_state));
  CHECK(plain.container_cgroups_path("u1", QosClass::kBurstable, "c1") == "/kubepods/burstable/podu1/c1");
}

TEST_CASE("v1: the pod cgroup is created in every hierarchy with its limits") {
  FakeCgroupFs::State state;
  state.files["/cg/cpuset/cpuset.cpus"] = "0-1\n";
  state.files["/cg/cpuset/cpuset.mems"] = "0\n";
  CgroupfsDriver driver(v1_layout("na"), std::make_unique<FakeCgroupFs>(&state));
  PodResources resources;
  resources.cpu_shares = 512;
  resources.cpu_quota_us = 50000;
  resources.memory_limit_bytes = 64 << 20;
  resources.pids_limit = 100;
  REQUIRE(driver.ensure_pod("u1", QosClass::kBurstable, resources).ok());
  for (const char* h : {"cpu", "memory", "pids", "cpuset"}) {
    INFO(h);
    CHECK(state.dirs.count(std::string("/cg/") + h + "/na/kubepods/burstable/podu1"));
    CHECK(state.dirs.count(std::string("/cg/") + h + "/na/kubepods/besteffort"));
  }
  CHECK(wrote(state, "/cg/memory/na/kubepods/burstable/podu1/memory.limit_in_bytes=67108864"));
  CHECK(wrote(state, "/cg/cpu/na/kubepods/burstable/podu1/cpu.shares=512"));
  CHECK(wrote(state, "/cg/cpu/na/kubepods/burstable/podu1/cpu.cfs_period_us=100000"));
  CHECK(wrote(state, "/cg/cpu/na/kubepods/burstable/podu1/cpu.cfs_quota_us=50000"));
  CHECK(wrote(state, "/cg/pids/na/kubepods/burstable/podu1/pids.max=100"));
  CHECK(wrote(state, "/cg/cpu/na/kubepods/besteffort/cpu.shares=2"));
  // cpuset inherited down the new chain, so tasks can join
  CHECK(state.files["/cg/cpuset/na/kubepods/burstable/podu1/cpuset.cpus"] == "0-1");
  CHECK(state.files["/cg/cpuset/na/kubepods/burstable/podu1/cpuset.mems"] == "0");

  // Updating without limits resets them; BestEffort pods always get the minimum shares.
  REQUIRE(driver.ensure_pod("u1", QosClass::kBurstable, PodResources{}).ok());
  CHECK(state.files["/cg/memory/na/kubepods/burstable/podu1/memory.limit_in_bytes"] == "-1");
  CHECK(state.files["/cg/cpu/na/kubepods/burstable/podu1/cpu.cfs_quota_us"] == "-1");
  REQUIRE(driver.ensure_pod("u2", QosClass::kBestEffort, PodResources{}).ok());
  CHECK(state.files["/cg/cpu/na/kubepods/besteffort/podu2/cpu.shares"] == "2");
  CHECK_FALSE(driver.ensure_pod("../x", QosClass::kBestEffort, PodResources{}).ok());
}

TEST_CASE("v2: controllers are enabled down the tree and limits use v2 files") {
  FakeCgroupFs::State state;
  state.files["/cg/cgroup.controllers"] = "cpuset cpu io memory pids\n";
  // The kernel creates these in a new v2 cgroup; the fake has them preset.
  const std::string pod = "/cg/kubepods/podu1";
  for (const char* f : {"/memory.max", "/cpu.max", "/cpu.weight", "/pids.max"}) state.files[pod + f] = "max";
  state.files["/cg/kubepods/cgroup.controllers"] = "cpu memory pids";
  CgroupfsDriver driver(v2_layout(""), std::make_unique<FakeCgroupFs>(&state));
  PodResources resources;
  resources.cpu_shares = 1024;
  resources.cpu_quota_us = 200000;
  resources.memory_limit_bytes = 128 << 20;
  REQUIRE(driver.ensure_pod("u1", QosClass::kGuaranteed, resources).ok());
  CHECK(wrote(state, "/cg/cgroup.subtree_control=+cpu +memory +pids"));
  CHECK(wrote(state, "/cg/kubepods/cgroup.subtree_control=+cpu +memory +pids"));
  CHECK(state.files[pod + "/memory.max"] == "134217728");
  CHECK(state.files[pod + "/cpu.max"] == "200000 100000");
  CHECK(state.files[pod + "/cpu.weight"] == std::to_string(shares_to_weight(1024)));
  CHECK(state.files[pod + "/pids.max"] == "max");
  CHECK(shares_to_weight(2) == 1);
  CHECK(shares_to_weight(262144) == 10000);
  CHECK(shares_to_weight(1024) == 39);
}

TEST_CASE("remove_pod removes leftover container cgroups and retries while busy") {
  FakeCgroupFs::State state;
  CgroupfsDriver driver(v1_layout("na"), std::make_unique<FakeCgroupFs>(&state));
  REQUIRE(driver.ensure_pod("u1", QosClass::kBurstable, PodResources{}).ok());
  state.dirs.insert("/cg/memory/na/kubepods/burstable/podu1/c1");  // left by a crashed runc
  state.busy_removals["/cg/memory/na/kubepods/burstable/podu1"] = 2;
  REQUIRE(driver.remove_pod("u1", std::chrono::seconds(5)).ok());
  for (const auto& d : state.dirs) CHECK(d.find("podu1") == std::string::npos);
  CHECK(state.dirs.count("/cg/memory/na/kubepods/burstable"));  // parents stay

  REQUIRE(driver.ensure_pod("u2", QosClass::kGuaranteed, PodResources{}).ok());
  state.busy_removals["/cg/pids/na/kubepods/podu2"] = 1000;
  auto stuck = driver.remove_pod("u2", std::chrono::milliseconds(100));
  REQUIRE_FALSE(stuck.ok());
  CHECK(stuck.error().code == nodeagent::ErrorCode::kUnavailable);
  CHECK(stuck.error().message.find("uid=u2") != std::string::npos);
  CHECK(driver.remove_pod("never-created", std::chrono::milliseconds(10)).ok());
}

TEST_CASE("list_pods finds pod cgroups of every QoS class") {
  FakeCgroupFs::State state;
  CgroupfsDriver driver(v1_layout("na"), std::make_unique<FakeCgroupFs>(&state));
  REQUIRE(driver.ensure_pod("g", QosClass::kGuaranteed, PodResources{}).ok());
  REQUIRE(driver.ensure_pod("b", QosClass::kBurstable, PodResources{}).ok());
  REQUIRE(driver.ensure_pod("e", QosClass::kBestEffort, PodResources{}).ok());
  auto pods = driver.list_pods();
  REQUIRE(pods.ok());
  REQUIRE(pods->size() == 3);
  CHECK((*pods)[0].pod_uid == "g");
  CHECK((*pods)[0].qos == QosClass::kGuaranteed);
  CHECK((*pods)[1].pod_uid == "b");
  CHECK((*pods)[1].path == "/na/kubepods/burstable/podb");
  CHECK((*pods)[2].pod_uid == "e");
  CHECK(qos_name((*pods)[2].qos) == "BestEffort");
}

TEST_CASE("container cgroupsPath: runc's cgroupfs form under the pod cgroup, every QoS class, v1 and v2") {
  FakeCgroupFs::State state;
  CgroupfsDriver v1(v1_layout("na"), std::make_unique<FakeCgroupFs>(&state));
  CHECK(v1.container_cgroups_path("u1", QosClass::kGuaranteed, "c1") == "/na/kubepods/podu1/c1");
  CHECK(v1.container_cgroups_path("u1", QosClass::kBestEffort, "c1") == "/na/kubepods/besteffort/podu1/c1");
  CgroupfsDriver v2(v2_layout("na"), std::make_unique<FakeCgroupFs>(&state));
  CHECK(v2.container_cgroups_path("u1", QosClass::kBurstable, "c1") ==
        v2.pod_cgroup_path("u1", QosClass::kBurstable) + "/c1");
}
