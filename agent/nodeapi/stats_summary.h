// kubelet's /stats/summary (statsapi.Summary, k8s.io/kubelet/pkg/apis/stats/v1alpha1) for this
// node: node, pod and container CPU and memory from their cgroups, network from /proc/<pid>/net/dev
// (the pod's netns through one of its processes; the node's own /proc/net/dev), filesystems from
// statvfs of the root and log dirs and the size of each container's logs, process counts from
// the pids controller. usageNanoCores is the rate since the previous read of the same cgroup.
// Everything the provider reads comes through StatsSources, so tests run it on fixture trees.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/cgroups/cgroup_stats.h"

namespace nodeagent::nodeapi {

struct StatsContainer {
  std::string name;
  std::string id;            // runtime id, no "containerd://"
  std::string started_at;    // RFC 3339, "" when not running
  uint32_t pid = 0;          // a process of the container (0: none running)
};

struct StatsPod {
  std::string name, ns, uid;
  std::string start_time;    // status.startTime
  std::string qos;           // status.qosClass
  std::vector<StatsContainer> containers;  // running ones
};

struct StatsSources {
  std::string node_name;
  std::string root_dir;      // kubelet's root dir: the node's fs
  std::string log_dir;       // --pod-log-dir
  std::string proc = "/proc";
  std::function<std::vector<StatsPod>()> pods;
  std::function<std::string(const StatsPod&)> pod_cgroup;                               // from the hierarchy root
  std::function<std::string(const StatsPod&, const StatsContainer&)> container_cgroup;
  std::string pods_cgroup;   // the kubepods cgroup ("pods" system container)
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

class StatsProvider {
 public:
  StatsProvider(StatsSources sources, runtime::cgroups::CgroupStatsReader reader)
      : src_(std::move(sources)), reader_(std::move(reader)) {}
  // only_cpu_and_memory: kubelet's ?only_cpu_and_memory=true (what metrics-server asks).
  nlohmann::json summary(bool only_cpu_and_memory = false);

 private:
  nlohmann::json cpu(const std::string& cgroup, const std::string& time);
  nlohmann::json memory(const std::string& cgroup, const std::string& time, std::optional<uint64_t> capacity);
  nlohmann::json network(const std::string& net_dev_file, const std::string& time) const;
  nlohmann::json fs_of(const std::string& path, const std::string& time) const;
  nlohmann::json node(bool only_cpu_and_memory, const std::string& time);

  StatsSources src_;
  runtime::cgroups::CgroupStatsReader reader_;
  std::mutex mu_;
  struct Sample {
    std::chrono::steady_clock::time_point at;
    uint64_t usage_ns;
  };
  std::map<std::string, Sample> last_cpu_;  // per cgroup, for usageNanoCores
};

// Bytes and inodes used by the files under `dir` (du), for the logs' usedBytes.
std::pair<uint64_t, uint64_t> directory_usage(const std::string& dir);

}  // namespace nodeagent::nodeapi
