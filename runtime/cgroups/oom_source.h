// Whether the kernel OOM-killed a process in a container's cgroup: the second OOM source
// besides containerd's TaskOOM event, which can race with (or be lost around) TaskExit. Behind
// an interface so that the containerd service does not know how a cgroupsPath maps to files:
// the cgroupfs driver reads "/kubepods/.../<id>" under its hierarchies, a systemd driver will
// map its "slice:prefix:name" form.
#pragma once

#include <string>

namespace nodeagent::runtime::cgroups {

class OomSource {
 public:
  virtual ~OomSource() = default;
  // `cgroups_path` is linux.cgroupsPath as the container's OCI spec has it. False when the
  // cgroup is gone, unreadable, or in a form this source does not handle.
  [[nodiscard]] virtual bool oom_killed(const std::string& cgroups_path) = 0;
};

}  // namespace nodeagent::runtime::cgroups
