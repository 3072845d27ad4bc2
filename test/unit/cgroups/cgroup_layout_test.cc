// Unit tests: finding the cgroup v1 hierarchies in mountinfo.
#include <catch2/catch.hpp>

#include "runtime/cgroups/cgroup_layout.h"

using namespace nodeagent::runtime::cgroups;

TEST_CASE("v1 hierarchies are the cgroup mounts directly under the root, not cgroup2") {
  const std::string mountinfo =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "50 27 0:32 / /elsewhere/memory rw,relatime - cgroup cgroup rw,memory\n";
  CHECK(v1_hierarchies_from_mountinfo(mountinfo, "/sys/fs/cgroup") ==
        std::vector<std::string>{"cpu,cpuacct", "memory", "systemd"});
}

TEST_CASE("detect_layout on this machine gives a usable layout") {
  auto layout = detect_layout("x");
  REQUIRE(layout.ok());
  CHECK(layout->prefix == "x");
  if (layout->version == CgroupVersion::kV1) CHECK_FALSE(layout->v1_hierarchies.empty());
}
