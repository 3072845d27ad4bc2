// Detection of the cgroup version and v1 hierarchies (see cgroup_layout.h).
#include "runtime/cgroups/cgroup_layout.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <sstream>

namespace nodeagent::runtime::cgroups {

std::vector<std::string> v1_hierarchies_from_mountinfo(std::string_view mountinfo, const std::string& mount_root) {
  std::vector<std::string> found;
  std::istringstream in{std::string(mountinfo)};
  for (std::string line; std::getline(in, line);) {
    // "... <mount point> <options> [optional fields] - <fstype> <source> <super options>"
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup") continue;
    std::istringstream before(line.substr(0, dash));
    std::string id, parent, dev, root, mount_point;
    before >> id >> parent >> dev >> root >> mount_point;
    if (mount_point.rfind(mount_root + "/", 0) != 0) continue;
    const std::string name = mount_point.substr(mount_root.size() + 1);
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
