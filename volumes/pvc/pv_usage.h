// Which pods use a PV on this node, read from the kernel and the pod dirs only (so it is right
// after an agent restart): a pod uses a PV when its volume dir under
// <root>/pods/<uid>/volumes/kubernetes.io~local-volume/ is a mount of the PV's directory (same
// device and inode as the source) or, in Block mode, a symlink to the PV's device.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::volumes {

struct SourceId {
  bool block = false;
  unsigned long dev = 0;   // st_dev, or st_rdev of a block device
  unsigned long ino = 0;   // 0 for block devices
  friend bool operator==(const SourceId&, const SourceId&) = default;
};

// The identity of a directory or block device (stat, following symlinks).
Result<SourceId> source_id(const std::string& path);

struct VolumeUser {
  std::string pod_uid;
  std::string dir;
};

// Every pod volume dir of `plugin_dir` ("kubernetes.io~local-volume") under `root_dir` whose
// content is `source`.
std::vector<VolumeUser> volume_users(const std::string& root_dir, const std::string& plugin_dir, const SourceId& source);

}  // namespace nodeagent::volumes
