// Static pods as kubelet makes them from a manifest file (pkg/kubelet/config/common.go):
// name "<name>-<node>", namespace "default" when unset, spec.nodeName = the node, a UID that is
// a hash of the document as read + the node name + the file path (editing a file makes a new
// pod; re-adding an identical file gives the same UID back), and the annotations
// kubernetes.io/config.hash (= UID), config.source = file, config.seen.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/kube/types.h"

namespace nodeagent::sources {

std::string static_pod_uid(const nlohmann::json& document, const std::string& node_name, const std::string& source_path);

// Applies the static-pod identity to a decoded pod. `seen` is when the agent first read it.
void make_static_pod(kube::Pod& pod, const std::string& uid, const std::string& node_name, kube::Time seen);

}  // namespace nodeagent::sources
