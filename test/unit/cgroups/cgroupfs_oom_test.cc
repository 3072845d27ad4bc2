// Unit tests: OOM counters read back through the cgroup layer (the cgroupfs driver as
// OomSource), v1 memory.oom_control and v2 memory.events.
#include <catch2/catch.hpp>

#include "fake_cgroup_fs.h"
#include "runtime/cgroups/cgroupfs_driver.h"
#include "runtime/cgroups/cgroupfs_oom.h"

using namespace nodeagent::runtime::cgroups;

namespace {

CgroupLayout layout(CgroupVersion version) {
  CgroupLayout l;
  l.version = version;
  l.mount_root = "/cg";
  if (version == CgroupVersion::kV1) l.v1_hierarchies = {"cpu,cpuacct", "memory", "pids"};
  l.prefix = "na";
  return l;
}

}  // namespace

TEST_CASE("oom_kill counters from cgroup v1 and v2 files") {
  CHECK(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n") == 2);
  CHECK(parse_oom_kill_count("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n") == 1);
  CHECK(parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\n") == 0);
}

TEST_CASE("v1: the driver reads memory.oom_control of the container cgroup it named") {
  FakeCgroupFs::State state;
  CgroupfsDriver driver(layout(CgroupVersion::kV1), std::make_unique<FakeCgroupFs>(&state));
  const std::string path = driver.container_cgroups_path("u1", QosClass::kBurstable, "c1");
  CHECK_FALSE(driver.oom_killed(path));  // no such cgroup
  state.files["/cg/memory" + path + "/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n";
  CHECK_FALSE(driver.oom_killed(path));
  state.files["/cg/memory" + path + "/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
  CHECK(driver.oom_killed(path));
  CHECK_FALSE(driver.oom_killed("/does/not/exist"));
  CHECK_FALSE(driver.oom_killed("system.slice:cri:abc"));  // not a cgroupfs path
  CHECK_FALSE(driver.oom_killed(""));
}

TEST_CASE("v2: the driver reads memory.events of the container cgroup it named") {
  FakeCgroupFs::State state;
  CgroupfsDriver driver(layout(CgroupVersion::kV2), std::make_unique<FakeCgroupFs>(&state));
  const std::string path = driver.container_cgroups_path("u1", QosClass::kGuaranteed, "c1");
  CHECK(path == "/na/kubepods/podu1/c1");
  state.files["/cg" + path + "/memory.events"] = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n";
  CHECK_FALSE(driver.oom_killed(path));
  state.files["/cg" + path + "/memory.events"] = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n";
  CHECK(driver.oom_killed(path));
}

TEST_CASE("v1 without a memory hierarchy knows nothing") {
  FakeCgroupFs fs(nullptr);
  CgroupLayout l = layout(CgroupVersion::kV1);
  l.v1_hierarchies = {"cpu"};
  CHECK_FALSE(cgroupfs_oom_killed(l, fs, "/kubepods/podu1/c1"));
}
