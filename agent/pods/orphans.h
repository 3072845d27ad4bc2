// After an agent restart: the pods that still hold something on the node (containers in
// containerd, a directory under <root>/pods/<uid>: a sandbox, volumes, or what a cleanup killed
// half-way left) but are no longer desired — their manifests
// went away while the agent was down. Rebuilt from what the containers' labels say (uid, name,
// namespace, container names), enough for terminate_pod and cleanup_pod. Pure.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "kube/types.h"
#include "runtime/types.h"

namespace nodeagent::pods {

// `containers`: this node's containers; `state_dir_uids`: pods with a directory on disk.
std::vector<kube::Pod> orphaned_pods(const std::vector<runtime::ContainerState>& containers,
                                     const std::vector<std::string>& state_dir_uids, const std::set<std::string>& desired);

}  // namespace nodeagent::pods
