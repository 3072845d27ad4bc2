#include "runtime/cgroups/cgroup_stats.h"

#include <fstream>
#include <map>
#include <sstream>

namespace nodeagent::runtime::cgroups {

namespace {

std::optional<std::string> read(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<uint64_t> read_number(const std::string& file) {
  auto text = read(file);
  if (!text) return std::nullopt;
  try {
    return std::stoull(*text);
  } catch (...) {
    return std::nullopt;
  }
}

// "key value" lines (memory.stat, cpu.stat).
std::map<std::string, uint64_t> read_keyed(const std::string& file) {
  std::map<std::string, uint64_t> out;
  std::ifstream in(file);
  std::string key;
  uint64_t value;
  while (in >> key >> value) out[key] = value;
  return out;
}

uint64_t get(const std::map<std::string, uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

std::optional<std::string> CgroupStatsReader::dir(const std::string& controller, const std::string& path) const {
  std::string rel = path == "/" ? "" : path;
  if (layout_.version == CgroupVersion::kV2) return layout_.mount_root + rel;
  for (const auto& h : layout_.v1_hierarchies) {
    std::stringstream names(h);
    std::string name;
    while (std::getline(names, name, ','))
      if (name == controller) return layout_.mount_root + "/" + h + rel;
  }
  return std::nullopt;
}

std::optional<CpuUsage> CgroupStatsReader::cpu(const std::string& path) const {
  if (layout_.version == CgroupVersion::kV2) {
    auto d = dir("cpu", path);
    auto stat = read_keyed(*d + "/cpu.stat");
    if (!stat.count("usage_usec")) return std::nullopt;
    return CpuUsage{stat["usage_usec"] * 1000};
  }
  auto d = dir("cpuacct", path);
  if (!d) return std::nullopt;
  auto usage = read_number(*d + "/cpuacct.usage");
  if (!usage) return std::nullopt;
  return CpuUsage{*usage};
}

std::optional<MemoryUsage> CgroupStatsReader::memory(const std::string& path) const {
  auto d = dir("memory", path);
  if (!d) return std::nullopt;
  MemoryUsage m;
  const bool v2 = layout_.version == CgroupVersion::kV2;
  // The v2 root has no memory.current: the node's usage is then what /proc/meminfo says.
  auto usage = read_number(*d + (v2 ? "/memory.current" : "/memory.usage_in_bytes"));
  if (!usage) return std::nullopt;
  m.usage_bytes = *usage;
  auto stat = read_keyed(*d + "/memory.stat");
  uint64_t inactive_file = get(stat, v2 ? "inactive_file" : "total_inactive_file");
  m.working_set_bytes = m.usage_bytes > inactive_file ? m.usage_bytes - inactive_file : 0;
  m.rss_bytes = get(stat, v2 ? "anon" : "total_rss");
  m.page_faults = get(stat, v2 ? "pgfault" : "total_pgfault");
  m.major_page_faults = get(stat, v2 ? "pgmajfault" : "total_pgmajfault");
  if (v2) {
    auto max = read(*d + "/memory.max");
    if (max && max->rfind("max", 0) != 0) {
      try {
        m.limit_bytes = std::stoull(*max);
      } catch (...) {
      }
    }
  } else if (auto limit = read_number(*d + "/memory.limit_in_bytes"); limit && *limit < (uint64_t{1} << 62)) {
    m.limit_bytes = *limit;  // v1 says "unlimited" with a number near 2^63
  }
  return m;
}

std::optional<uint64_t> CgroupStatsReader::process_count(const std::string& path) const {
  auto d = dir("pids", path);
  if (!d) return std::nullopt;
  return read_number(*d + "/pids.current");
}

}  // namespace nodeagent::runtime::cgroups
