// The directory of a configMap, secret, downwardAPI or projected volume: on the node's disk
// (0777, as kubelet's wrapped emptyDir makes it) or, for secrets and projected volumes, a tmpfs
// of its own (mounted once; its root keeps tmpfs's 1777), so that secret bytes never touch a
// disk. Also the fsGroup of the pod, which these volumes apply to their files.
#pragma once

#include <string>

#include "kube/types.h"
#include "util/result.h"
#include "volumes/atomic/atomic_writer.h"
#include "volumes/mount/mounter.h"

namespace nodeagent::volumes {

// Creates `dir` when missing; with a mounter, mounts a tmpfs on it unless one is there.
// `context` prefixes errors.
[[nodiscard]] Status prepare_volume_dir(const std::string& dir, const std::string& context, Mounter* tmpfs);
// Unmounts the tmpfs of `dir` when mounted (the manager removes the directory afterwards).
[[nodiscard]] Status release_volume_dir(const std::string& dir, Mounter& tmpfs);

VolumeOwnership pod_volume_ownership(const kube::Pod& pod);

}  // namespace nodeagent::volumes
