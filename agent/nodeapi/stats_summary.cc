#include "agent/nodeapi/stats_summary.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/rfc3339.h"

namespace nodeagent::nodeapi {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<uint64_t> meminfo_total(const std::string& proc) {
  std::ifstream in(proc + "/meminfo");
  std::string key, unit;
  uint64_t value;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemTotal:") return value * 1024;
  }
  return std::nullopt;
}

std::string boot_time(const std::string& proc) {
  std::ifstream in(proc + "/stat");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("btime ", 0) == 0)
      return format_rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(std::stoll(line.substr(6)))),
                            Rfc3339Fraction::kNone);
  return "";
}

}  // namespace

std::pair<uint64_t, uint64_t> directory_usage(const std::string& dir) {
  uint64_t bytes = 0, inodes = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    ++inodes;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) bytes += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return {bytes, inodes};
}

json StatsProvider::cpu(const std::string& cgroup, const std::string& time) {
  auto usage = reader_.cpu(cgroup);
  if (!usage) return nullptr;
  json out = {{"time", time}, {"usageCoreNanoSeconds", usage->usage_ns}};
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = last_cpu_.find(cgroup);
  if (it != last_cpu_.end() && now > it->second.at && usage->usage_ns >= it->second.usage_ns) {
    double seconds = std::chrono::duration<double>(now - it->second.at).count();
    out["usageNanoCores"] = static_cast<uint64_t>(static_cast<double>(usage->usage_ns - it->second.usage_ns) / seconds);
  }
  // The previous sample is kept for at least a second, so that back-to-back reads give a rate.
  if (it == last_cpu_.end() || now - it->second.at >= std::chrono::seconds(1)) last_cpu_[cgroup] = Sample{now, usage->usage_ns};
  return out;
}

json StatsProvider::memory(const std::string& cgroup, const std::string& time, std::optional<uint64_t> capacity) {
  auto m = reader_.memory(cgroup);
  if (!m) return nullptr;
  json out = {{"time", time},
              {"usageBytes", m->usage_bytes},
              {"workingSetBytes", m->working_set_bytes},
              {"rssBytes", m->rss_bytes},
              {"pageFaults", m->page_faults},
              {"majorPageFaults", m->major_page_faults}};
  auto limit = m->limit_bytes ? m->limit_bytes : capacity;
  if (limit) out["availableBytes"] = *limit > m->working_set_bytes ? *limit - m->working_set_bytes : 0;
  return out;
}

json StatsProvider::network(const std::string& net_dev_file, const std::string& time) const {
  std::ifstream in(net_dev_file);
  if (!in) return nullptr;
  std::string line;
  json interfaces = json::array();
  for (int i = 0; std::getline(in, line); ++i) {
    if (i < 2) continue;  // two header lines
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream fields(line.substr(colon + 1));
    uint64_t v[16] = {};
    for (auto& x : v) fields >> x;
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets errs ...
    interfaces.push_back({{"name", name}, {"rxBytes", v[0]}, {"rxErrors", v[2]}, {"txBytes", v[8]}, {"txErrors", v[10]}});
  }
  json out = {{"time", time}};
  if (!interfaces.empty()) {
    // The default interface's figures at the top, as kubelet does (eth0 when there is one).
    json primary = interfaces.front();
    for (const auto& i : interfaces)
      if (i["name"] == "eth0") primary = i;
    for (const auto& [k, v] : primary.items()) out[k] = v;
  }
  out["interfaces"] = interfaces;
  return out;
}

json StatsProvider::fs_of(const std::string& path, const std::string& time) const {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return nullptr;
  const uint64_t bs = st.f_frsize ? st.f_frsize : st.f_bsize;
  return {{"time", time},
          {"availableBytes", st.f_bavail * bs},
          {"capacityBytes", st.f_blocks * bs},
          {"usedBytes", (st.f_blocks - st.f_bfree) * bs},
          {"inodesFree", st.f_favail},
          {"inodes", st.f_files},
          {"inodesUsed", st.f_files - st.f_ffree}};
}

json StatsProvider::node(bool only_cpu_and_memory, const std::string& time) {
  json n = {{"nodeName", src_.node_name}};
  if (auto bt = boot_time(src_.proc); !bt.empty()) n["startTime"] = bt;
  const auto capacity = meminfo_total(src_.proc);
  if (auto c = cpu("/", time); !c.is_null()) n["cpu"] = c;
  if (auto m = memory("/", time, capacity); !m.is_null()) n["memory"] = m;
  json system = json::array();
  if (!src_.pods_cgroup.empty()) {
    json pods = {{"name", "pods"}, {"startTime", n.value("startTime", time)}};
    if (auto c = cpu(src_.pods_cgroup, time); !c.is_null()) pods["cpu"] = c;
    if (auto m = memory(src_.pods_cgroup, time, capacity); !m.is_null()) pods["memory"] = m;
    system.push_back(pods);
  }
  n["systemContainers"] = system;
  if (only_cpu_and_memory) return n;
  if (auto net = network(src_.proc + "/net/dev", time); !net.is_null()) n["network"] = net;
  if (auto f = fs_of(src_.root_dir, time); !f.is_null()) {
    n["fs"] = f;
    n["runtime"] = {{"imageFs", f}, {"containerFs", f}};
  }
  long pid_max = 0;
  if (std::ifstream in(src_.proc + "/sys/kernel/pid_max"); in >> pid_max) {
    uint64_t procs = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(src_.proc, ec))
      if (std::isdigit(static_cast<unsigned char>(e.path().filename().string()[0]))) ++procs;
    n["rlimit"] = {{"time", time}, {"maxpid", pid_max}, {"curproc", procs}};
  }
  return n;
}

json StatsProvider::summary(bool only_cpu_and_memory) {
  const std::string time = format_rfc3339(src_.now(), Rfc3339Fraction::kNone);
  json out = {{"node", node(only_cpu_and_memory, time)}};
  const auto capacity = meminfo_total(src_.proc);
  json pods = json::array();
  for (const auto& p : src_.pods ? src_.pods() : std::vector<StatsPod>{}) {
    json pod = {{"podRef", {{"name", p.name}, {"namespace", p.ns}, {"uid", p.uid}}}};
    if (!p.start_time.empty()) pod["startTime"] = p.start_time;
    const std::string pod_cg = src_.pod_cgroup(p);
    json containers = json::array();
    uint64_t logs_used = 0, logs_inodes = 0;
    uint32_t net_pid = 0;
    for (const auto& c : p.containers) {
      json cj = {{"name", c.name}};
      if (!c.started_at.empty()) cj["startTime"] = c.started_at;
      const std::string cg = src_.container_cgroup(p, c);
      if (auto v = cpu(cg, time); !v.is_null()) cj["cpu"] = v;
      if (auto v = memory(cg, time, capacity); !v.is_null()) cj["memory"] = v;
      if (!only_cpu_and_memory) {
        const std::string dir = src_.log_dir + "/" + p.ns + "_" + p.name + "_" + p.uid + "/" + c.name;
        auto [used, inodes] = directory_usage(dir);
        logs_used += used;
        logs_inodes += inodes;
        if (auto f = fs_of(src_.log_dir, time); !f.is_null()) {
          f["usedBytes"] = used;
          f["inodesUsed"] = inodes;
          cj["logs"] = f;
        }
        if (auto f = fs_of(src_.root_dir, time); !f.is_null()) {
          f.erase("usedBytes");  // the writable layer's usage is containerd's to tell
          f.erase("inodesUsed");
          cj["rootfs"] = f;
        }
      }
      if (c.pid && !net_pid) net_pid = c.pid;
      containers.push_back(cj);
    }
    pod["containers"] = containers;
    if (auto v = cpu(pod_cg, time); !v.is_null()) pod["cpu"] = v;
    if (auto v = memory(pod_cg, time, capacity); !v.is_null()) pod["memory"] = v;
    if (!only_cpu_and_memory) {
      if (net_pid)
        if (auto net = network(src_.proc + "/" + std::to_string(net_pid) + "/net/dev", time); !net.is_null())
          pod["network"] = net;
      if (auto f = fs_of(src_.log_dir, time); !f.is_null()) {
        f["usedBytes"] = logs_used;
        f["inodesUsed"] = logs_inodes;
        pod["ephemeral-storage"] = f;
      }
      if (auto procs = reader_.process_count(pod_cg)) pod["process_stats"] = {{"process_count", *procs}};
    }
    pods.push_back(pod);
  }
  out["pods"] = pods;
  return out;
}

}  // namespace nodeagent::nodeapi
