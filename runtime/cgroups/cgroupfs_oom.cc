// cgroupfs OOM counters (see cgroupfs_oom.h).
#include "runtime/cgroups/cgroupfs_oom.h"

#include <sstream>

namespace nodeagent::runtime::cgroups {
namespace {

class CgroupfsOomSource final : public OomSource {
 public:
  CgroupfsOomSource(CgroupLayout layout, std::unique_ptr<CgroupFs> fs) : layout_(std::move(layout)), fs_(std::move(fs)) {}
  bool oom_killed(const std::string& cgroups_path) override { return cgroupfs_oom_killed(layout_, *fs_, cgroups_path); }

 private:
  const CgroupLayout layout_;
  const std::unique_ptr<CgroupFs> fs_;
};

// The v1 memory hierarchy dir (it may be co-mounted, e.g. "memory,blkio"); "" if none.
std::string memory_hierarchy(const CgroupLayout& layout) {
  for (const auto& dir : layout.v1_hierarchies) {
    if (("," + dir + ",").find(",memory,") != std::string::npos) return dir;
  }
  return "";
}

}  // namespace

long parse_oom_kill_count(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  long value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return 0;
}

bool cgroupfs_oom_killed(const CgroupLayout& layout, CgroupFs& fs, const std::string& cgroups_path) {
  if (cgroups_path.empty() || cgroups_path.front() != '/') return false;
  std::string file;
  if (layout.version == CgroupVersion::kV2) {
    file = layout.mount_root + cgroups_path + "/memory.events";
  } else {
    const std::string memory = memory_hierarchy(layout);
    if (memory.empty()) return false;
    file = layout.mount_root + "/" + memory + cgroups_path + "/memory.oom_control";
  }
  const auto text = fs.read_file(file);
  return text.ok() && parse_oom_kill_count(*text) > 0;
}

Result<std::unique_ptr<OomSource>> make_cgroupfs_oom_source(const std::string& mount_root) {
  NA_ASSIGN_OR_RETURN(auto layout, detect_layout("", mount_root));
  return std::unique_ptr<OomSource>(std::make_unique<CgroupfsOomSource>(std::move(layout), make_linux_cgroup_fs()));
}

}  // namespace nodeagent::runtime::cgroups
