// Where the cgroup hierarchies are on this machine, and which version: cgroup v2 (one unified
// hierarchy) or v1 (one hierarchy per controller, e.g. /sys/fs/cgroup/memory). A hybrid host
// (v1 controllers plus an empty cgroup2 at /sys/fs/cgroup/unified) counts as v1, like runc does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace nodeagent::runtime::cgroups {

enum class CgroupVersion { kV1, kV2 };

struct CgroupLayout {
  CgroupVersion version = CgroupVersion::kV2;
  std::string mount_root = "/sys/fs/cgroup";
  std::vector<std::string> v1_hierarchies;  // v1: dirs under mount_root ("cpu", "memory", ...)
  std::string prefix;                       // our subtree under every hierarchy root; may be ""
};

// Detects the version from the filesystem type of `mount_root`, and the v1 hierarchies from
// /proc/self/mountinfo.
Result<CgroupLayout> detect_layout(const std::string& prefix, const std::string& mount_root = "/sys/fs/cgroup");

// The v1 hierarchy dirs (basenames of cgroup v1 mount points directly under `mount_root`) found
// in a mountinfo text. Pure, for tests.
std::vector<std::string> v1_hierarchies_from_mountinfo(std::string_view mountinfo, const std::string& mount_root);

}  // namespace nodeagent::runtime::cgroups
