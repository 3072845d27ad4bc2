// CgroupfsDriver: pod cgroups over cgroupfs, v1 and v2 (see cgroupfs_driver.h).
#include "runtime/cgroups/cgroupfs_driver.h"

#include <algorithm>
#include <thread>

#include "runtime/cgroups/cgroupfs_oom.h"
#include "util/log.h"

namespace nodeagent::runtime::cgroups {
namespace {

constexpr QosClass kAllQos[] = {QosClass::kGuaranteed, QosClass::kBurstable, QosClass::kBestEffort};

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The v1 hierarchy dir that holds `controller`; co-mounted ones are named "cpu,cpuacct".
// Empty when the controller is not mounted.
std::string hierarchy_for(const CgroupLayout& layout, const std::string& controller) {
  for (const auto& dir : layout.v1_hierarchies) {
    if (("," + dir + ",").find("," + controller + ",") != std::string::npos) return dir;
  }
  return "";
}

}  // namespace

CgroupfsDriver::CgroupfsDriver(CgroupLayout layout, std::unique_ptr<CgroupFs> fs)
    : layout_(std::move(layout)), fs_(std::move(fs)) {}

std::string CgroupfsDriver::qos_parent_path(QosClass qos) const {
  std::string path = layout_.prefix.empty() ? "" : "/" + layout_.prefix;
  path += "/kubepods";
  if (qos == QosClass::kBurstable) path += "/burstable";
  if (qos == QosClass::kBestEffort) path += "/besteffort";
  return path;
}

std::string CgroupfsDriver::pod_cgroup_path(const std::string& pod_uid, QosClass qos) const {
  return qos_parent_path(qos) + "/pod" + pod_uid;
}

std::string CgroupfsDriver::container_cgroups_path(const std::string& pod_uid, QosClass qos,
                                                   const std::string& container_id) const {
  // runc's cgroupfs form: a path from the hierarchy root, created in every hierarchy.
  return pod_cgroup_path(pod_uid, qos) + "/" + container_id;
}

std::vector<std::string> CgroupfsDriver::hierarchy_roots() const {
  if (layout_.version == CgroupVersion::kV2) return {layout_.mount_root};
  std::vector<std::string> roots;
  for (const auto& h : layout_.v1_hierarchies) roots.push_back(layout_.mount_root + "/" + h);
  return roots;
}

Status CgroupfsDriver::ensure_path(const std::string& relative) {
  for (const auto& root : hierarchy_roots()) {
    std::string parent = root;
    size_t pos = 1;
    while (pos <= relative.size()) {
      const size_t next = std::min(relative.find('/', pos), relative.size());
      const std::string dir = root + relative.substr(0, next);
      if (layout_.version == CgroupVersion::kV2) {
        // Children only get the controllers their parent hands down.
        auto available = fs_->read_file(parent + "/cgroup.controllers");
        if (available.ok()) {
          std::string enable;
          for (const char* c : {"cpu", "memory", "pids"}) {
            if ((" " + trim(*available) + " ").find(std::string(" ") + c + " ") != std::string::npos) {
              enable += std::string(enable.empty() ? "+" : " +") + c;
            }
          }
          if (!enable.empty()) NA_RETURN_IF_ERROR(fs_->write_file(parent + "/cgroup.subtree_control", enable));
        }
      }
      const bool existed = fs_->exists(dir);
      NA_RETURN_IF_ERROR(fs_->make_dir(dir));
      // v1 cpuset starts empty in a new cgroup (clone_children=0), and an empty cpuset takes no
      // task: inherit the parent's CPUs and memory nodes.
      if (!existed && layout_.version == CgroupVersion::kV1 &&
          root == layout_.mount_root + "/" + hierarchy_for(layout_, "cpuset")) {
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
          auto value = fs_->read_file(parent + "/" + file);
          if (value.ok() && !trim(*value).empty()) NA_RETURN_IF_ERROR(fs_->write_file(dir + "/" + file, trim(*value)));
        }
      }
      parent = dir;
      pos = next + 1;
    }
  }
  return ok_status();
}

Status CgroupfsDriver::ensure_qos_parents() {
  for (QosClass qos : kAllQos) NA_RETURN_IF_ERROR(ensure_path(qos_parent_path(qos)));
  // BestEffort pods share the minimum CPU weight (kubelet does the same).
  const std::string besteffort = qos_parent_path(QosClass::kBestEffort);
  if (layout_.version == CgroupVersion::kV1) {
    if (const auto cpu = hierarchy_for(layout_, "cpu"); !cpu.empty()) {
      NA_RETURN_IF_ERROR(fs_->write_file(layout_.mount_root + "/" + cpu + besteffort + "/cpu.shares", std::to_string(kMinShares)));
    }
  } else {
    const std::string weight = layout_.mount_root + besteffort + "/cpu.weight";
    if (fs_->exists(weight)) NA_RETURN_IF_ERROR(fs_->write_file(weight, std::to_string(shares_to_weight(kMinShares))));
  }
  return ok_status();
}

Status CgroupfsDriver::apply_resources(const std::string& relative, const PodResources& r) {
  const std::string& root = layout_.mount_root;
  const int64_t shares = r.cpu_shares > 0 ? std::max(r.cpu_shares, kMinShares) : 0;
  if (layout_.version == CgroupVersion::kV1) {
    if (const auto memory = hierarchy_for(layout_, "memory"); !memory.empty()) {
      NA_RETURN_IF_ERROR(fs_->write_file(root + "/" + memory + relative + "/memory.limit_in_bytes",
                                         r.memory_limit_bytes > 0 ? std::to_string(r.memory_limit_bytes) : "-1"));
    }
    if (const auto cpu = hierarchy_for(layout_, "cpu"); !cpu.empty()) {
      const std::string dir = root + "/" + cpu + relative;
      if (shares > 0) NA_RETURN_IF_ERROR(fs_->write_file(dir + "/cpu.shares", std::to_string(shares)));
      if (r.cpu_quota_us > 0) NA_RETURN_IF_ERROR(fs_->write_file(dir + "/cpu.cfs_period_us", std::to_string(r.cpu_period_us)));
      NA_RETURN_IF_ERROR(fs_->write_file(dir + "/cpu.cfs_quota_us", r.cpu_quota_us > 0 ? std::to_string(r.cpu_quota_us) : "-1"));
    }
    if (const auto pids = hierarchy_for(layout_, "pids"); !pids.empty()) {
      NA_RETURN_IF_ERROR(fs_->write_file(root + "/" + pids + relative + "/pids.max",
                                         r.pids_limit > 0 ? std::to_string(r.pids_limit) : "max"));
    }
    return ok_status();
  }
  const std::string dir = root + relative;
  if (fs_->exists(dir + "/memory.max")) {
    NA_RETURN_IF_ERROR(fs_->write_file(dir + "/memory.max", r.memory_limit_bytes > 0 ? std::to_string(r.memory_limit_bytes) : "max"));
  }
  if (fs_->exists(dir + "/cpu.max")) {
    const std::string quota = r.cpu_quota_us > 0 ? std::to_string(r.cpu_quota_us) : "max";
    NA_RETURN_IF_ERROR(fs_->write_file(dir + "/cpu.max", quota + " " + std::to_string(r.cpu_period_us)));
  }
  if (shares > 0 && fs_->exists(dir + "/cpu.weight")) {
    NA_RETURN_IF_ERROR(fs_->write_file(dir + "/cpu.weight", std::to_string(shares_to_weight(shares))));
  }
  if (fs_->exists(dir + "/pids.max")) {
    NA_RETURN_IF_ERROR(fs_->write_file(dir + "/pids.max", r.pids_limit > 0 ? std::to_string(r.pids_limit) : "max"));
  }
  return ok_status();
}

Status CgroupfsDriver::ensure_pod(const std::string& pod_uid, QosClass qos, const PodResources& resources) {
  if (pod_uid.empty() || pod_uid.find('/') != std::string::npos) {
    return invalid("pod cgroup: pod_uid: '" + pod_uid + "' is not a valid uid");
  }
  PodResources effective = resources;
  if (qos == QosClass::kBestEffort) effective.cpu_shares = kMinShares;
  const std::string relative = pod_cgroup_path(pod_uid, qos);
  auto status = ensure_qos_parents();
  if (status.ok()) status = ensure_path(relative);
  if (status.ok()) status = apply_resources(relative, effective);
  if (!status.ok()) return status.error().wrap("pod cgroup uid=" + pod_uid);
  return ok_status();
}

Status CgroupfsDriver::remove_tree_once(const std::string& absolute) {
  if (!fs_->exists(absolute)) return ok_status();
  // Leftover container cgroups first (runc normally removes its own), deepest first.
  NA_ASSIGN_OR_RETURN(auto children, fs_->list_dirs(absolute));
  for (const auto& child : children) NA_RETURN_IF_ERROR(remove_tree_once(absolute + "/" + child));
  return fs_->remove_dir(absolute);
}

Status CgroupfsDriver::remove_pod(const std::string& pod_uid, std::chrono::milliseconds timeout) {
  if (pod_uid.empty() || pod_uid.find('/') != std::string::npos) {
    return invalid("pod cgroup: pod_uid: '" + pod_uid + "' is not a valid uid");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(10);
  for (;;) {
    Status status;
    for (QosClass qos : kAllQos) {
      for (const auto& root : hierarchy_roots()) {
        if (status.ok()) status = remove_tree_once(root + pod_cgroup_path(pod_uid, qos));
      }
    }
    if (status.ok()) return ok_status();
    // Busy: the last processes of the pod are still exiting. Anything else is final.
    if (status.error().code != ErrorCode::kUnavailable || std::chrono::steady_clock::now() + delay > deadline) {
      return status.error().wrap("pod cgroup uid=" + pod_uid);
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
}

Result<std::vector<PodCgroup>> CgroupfsDriver::list_pods() {
  // One hierarchy tells: the pod cgroup exists in all of them (memory is always mounted on v1).
  std::string root = layout_.mount_root;
  if (layout_.version == CgroupVersion::kV1) {
    const auto memory = hierarchy_for(layout_, "memory");
    root += "/" + (memory.empty() ? layout_.v1_hierarchies.front() : memory);
  }
  std::vector<PodCgroup> pods;
  for (QosClass qos : kAllQos) {
    NA_ASSIGN_OR_RETURN(auto names, fs_->list_dirs(root + qos_parent_path(qos)));
    for (const auto& name : names) {
      if (name.rfind("pod", 0) != 0 || name.size() <= 3) continue;
      const std::string uid = name.substr(3);
      pods.push_back(PodCgroup{uid, qos, pod_cgroup_path(uid, qos)});
    }
  }
  return pods;
}

bool CgroupfsDriver::oom_killed(const std::string& cgroups_path) {
  return cgroupfs_oom_killed(layout_, *fs_, cgroups_path);
}

Result<std::unique_ptr<CgroupManager>> make_cgroupfs_manager(const std::string& prefix) {
  NA_ASSIGN_OR_RETURN(auto layout, detect_layout(prefix));
  log::get("runtime")->info("cgroupfs driver: cgroup {} prefix={}", layout.version == CgroupVersion::kV1 ? "v1" : "v2",
                            prefix.empty() ? "(none)" : prefix);
  return std::unique_ptr<CgroupManager>(std::make_unique<CgroupfsDriver>(std::move(layout), make_linux_cgroup_fs()));
}

}  // namespace nodeagent::runtime::cgroups
