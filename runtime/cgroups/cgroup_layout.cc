// Detection of the cgroup version and v1 hierarchies (see cgroup_layout.h).
#include "runtime/cgroups/cgroup_layout.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>

#include "util/mountinfo.h"

namespace nodeagent::runtime::cgroups {

std::vector<std::string> v1_hierarchies_from_mountinfo(std::string_view mountinfo, const std::string& mount_root) {
  std::vector<std::string> found;
  for (const auto& m : parse_mountinfo(mountinfo)) {
    if (m.fs_type != "cgroup" || m.mount_point.rfind(mount_root + "/", 0) != 0) continue;
    const std::string name = m.mount_point.substr(mount_root.size() + 1);
    if (name.empty() || name.find('/') != std::string::npos) continue;
    if (std::find(found.begin(), found.end(), name) == found.end()) found.push_back(name);
  }
  return found;
}

Result<CgroupLayout> detect_layout(const std::string& prefix, const std::string& mount_root) {
  struct statfs fs {};
  if (::statfs(mount_root.c_str(), &fs) != 0) return errno_error("statfs " + mount_root, errno);
  CgroupLayout layout;
  layout.mount_root = mount_root;
  layout.prefix = prefix;
  if (static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC) {
    layout.version = CgroupVersion::kV2;
    return layout;
  }
  layout.version = CgroupVersion::kV1;
  std::ifstream in("/proc/self/mountinfo");
  const std::string mountinfo(std::istreambuf_iterator<char>(in), {});
  layout.v1_hierarchies = v1_hierarchies_from_mountinfo(mountinfo, mount_root);
  if (layout.v1_hierarchies.empty()) return not_found("cgroup v1: no hierarchy mounted under " + mount_root);
  return layout;
}

}  // namespace nodeagent::runtime::cgroups
