// Reads a cgroup's CPU, memory and process usage as cAdvisor does for kubelet's /stats/summary
// and /metrics/resource, on cgroup v1 (cpuacct, memory, pids hierarchies) and v2:
//   cpu: cpuacct.usage (v1) / cpu.stat usage_usec (v2), in nanoseconds
//   memory: usage_in_bytes / memory.current; working set = usage - inactive_file (>= 0);
//           rss = total_rss / anon; page faults from memory.stat; the limit when one is set
// `path` is from the hierarchy root ("/" = the root cgroup, the node). Files under
// layout.mount_root, so tests read fixture trees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/cgroups/cgroup_layout.h"

namespace nodeagent::runtime::cgroups {

struct CpuUsage {
  uint64_t usage_ns = 0;
};

struct MemoryUsage {
  uint64_t usage_bytes = 0;
  uint64_t working_set_bytes = 0;
  uint64_t rss_bytes = 0;
  uint64_t page_faults = 0;
  uint64_t major_page_faults = 0;
  std::optional<uint64_t> limit_bytes;  // unset: unlimited
};

class CgroupStatsReader {
 public:
  explicit CgroupStatsReader(CgroupLayout layout) : layout_(std::move(layout)) {}
  std::optional<CpuUsage> cpu(const std::string& path) const;
  std::optional<MemoryUsage> memory(const std::string& path) const;
  std::optional<uint64_t> process_count(const std::string& path) const;
  const CgroupLayout& layout() const { return layout_; }

 private:
  // The directory of `path` in the v1 hierarchy that has `controller` (or the v2 tree).
  std::optional<std::string> dir(const std::string& controller, const std::string& path) const;
  CgroupLayout layout_;
};

}  // namespace nodeagent::runtime::cgroups
