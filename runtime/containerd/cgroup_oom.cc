// cgroup OOM counters (see cgroup_oom.h).
#include "runtime/containerd/cgroup_oom.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nodeagent::runtime::ctd {

long parse_oom_kill_count(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  long value = 0;
  while (in >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return 0;
}

bool cgroup_oom_killed(const std::string& cgroups_path, const std::string& cgroup_root) {
  if (cgroups_path.empty() || cgroups_path.front() != '/') return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  bool v2 = fs::exists(cgroup_root + "/cgroup.controllers", ec);
  std::string file = v2 ? cgroup_root + cgroups_path + "/memory.events"
                        : cgroup_root + "/memory" + cgroups_path + "/memory.oom_control";
  std::ifstream in(file);
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  return parse_oom_kill_count(text.str()) > 0;
}

}  // namespace nodeagent::runtime::ctd
