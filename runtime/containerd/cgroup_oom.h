// Whether the kernel OOM-killed something in a container's memory cgroup (cgroupfs driver
// paths), read from memory.events (v2) or memory.oom_control (v1). A cheap second source
// besides containerd's TaskOOM event, which can race with (or be lost around) TaskExit.
#pragma once

#include <string>

namespace nodeagent::runtime::ctd {

// cgroups_path as in the OCI spec ("/kubepods/pod<uid>/<id>"); cgroup_root is the cgroupfs
// mount point. False when the cgroup is gone, unreadable, or uses a systemd "slice:..." path.
bool cgroup_oom_killed(const std::string& cgroups_path, const std::string& cgroup_root = "/sys/fs/cgroup");

// The "oom_kill N" counter in the text of memory.events / memory.oom_control, 0 if absent.
long parse_oom_kill_count(const std::string& text);

}  // namespace nodeagent::runtime::ctd
