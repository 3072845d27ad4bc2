// The cgroupfs answer to OomSource: a container cgroup's oom_kill counter, from
// memory.oom_control in the v1 memory hierarchy or memory.events on v2.
#pragma once

#include <memory>
#include <string>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/cgroup_layout.h"
#include "runtime/cgroups/oom_source.h"
#include "util/result.h"

namespace nodeagent::runtime::cgroups {

// The "oom_kill N" counter in the text of memory.events / memory.oom_control, 0 if absent.
long parse_oom_kill_count(const std::string& text);

// Whether the counter of the cgroup at `cgroups_path` (a cgroupfs path from the hierarchy
// root, "/kubepods/pod<uid>/<id>") is above 0. False for anything else (e.g. systemd's
// "slice:prefix:name"), or when the file cannot be read.
bool cgroupfs_oom_killed(const CgroupLayout& layout, CgroupFs& fs, const std::string& cgroups_path);

// An OomSource over this machine's cgroupfs (layout detected now), for users that have no
// CgroupManager at hand.
Result<std::unique_ptr<OomSource>> make_cgroupfs_oom_source(const std::string& mount_root = "/sys/fs/cgroup");

}  // namespace nodeagent::runtime::cgroups
