// Mount helpers for pod namespaces kept alive by bind mounts of their nsfs files: preparing the
// directory that holds them, telling a live namespace mount from an empty placeholder file, and
// unmounting everything under a directory. Linux only; no knowledge of pods.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::runtime::sandbox {

// Makes `dir` (created if missing) a shared mount of its own, like `ip netns` does for
// /run/netns. See the .cc for why.
Status make_shared_mount_of_its_own(const std::string& dir);

// True when `path` is a bind mount of a namespace file (its filesystem is nsfs).
bool is_namespace_mount(const std::string& path);

// Bind-mounts the namespace file `ns_file` (e.g. /proc/thread-self/ns/net) onto `target`,
// creating `target` as an empty file first.
Status bind_namespace(const std::string& ns_file, const std::string& target);

// Mount points at or below `dir` in this process's mount table, deepest first.
Result<std::vector<std::string>> mounts_under(const std::string& dir);

// Lazily unmounts every mount at or below `dir` (deepest first). No error when there is none.
Status unmount_all_under(const std::string& dir);

// Inode of the namespace behind a path (an nsfs bind mount or /proc/<pid>/ns/<kind>), 0 if
// it cannot be read.
unsigned long namespace_inode(const std::string& path);

}  // namespace nodeagent::runtime::sandbox
