// Local storage of emptyDir volumes, as kubelet's eviction manager checks it
// (localStorageEviction): the disk an emptyDir uses, measured by walking it without leaving its
// filesystem, against its sizeLimit. Memory-backed emptyDirs are left out: their tmpfs is sized
// and full at its limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::volumes {

// Bytes allocated under `dir` (st_blocks, as du), not following symlinks or crossing mounts.
[[nodiscard]] Result<int64_t> disk_usage(const std::string& dir);

// Whether the volume is a disk emptyDir with a sizeLimit, one that eviction measures.
bool is_limited_disk_empty_dir(const kube::Volume& volume);
// Whether the pod has such a volume (so that it needs measuring).
bool has_limited_empty_dir(const kube::Pod& pod);

// kubelet's eviction message for an emptyDir over its sizeLimit:
//   Usage of EmptyDir volume "cache" exceeds the limit "1Mi".
std::string empty_dir_eviction_message(const std::string& volume, const kube::Quantity& limit);

}  // namespace nodeagent::volumes
