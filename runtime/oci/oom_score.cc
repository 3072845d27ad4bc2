// The oom_score_adj floor (see oom_score.h).
#include "runtime/oci/oom_score.h"

#include <fstream>
#include <sstream>
#include <string>

namespace nodeagent::runtime::oci {
namespace {

constexpr int kCapSysResource = 24;  // linux/capability.h

bool has_effective_capability(int cap) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    std::istringstream hex(line.substr(7));
    unsigned long long mask = 0;
    if (!(hex >> std::hex >> mask)) return false;
    return (mask >> cap) & 1ULL;
  }
  return false;
}

}  // namespace

int64_t oom_score_adj_floor(bool has_cap_sys_resource, int64_t own_oom_score_adj) {
  return has_cap_sys_resource ? kMinOomScoreAdj : own_oom_score_adj;
}

int64_t this_process_oom_score_adj_floor() {
  int64_t own = 0;
  std::ifstream("/proc/self/oom_score_adj") >> own;
  return oom_score_adj_floor(has_effective_capability(kCapSysResource), own);
}

}  // namespace nodeagent::runtime::oci
