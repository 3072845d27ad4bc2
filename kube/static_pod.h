// Static pods (kubelet's file source, pkg/kubelet/config/common.go applyDefaults): a manifest
// read from the manifest directory becomes a pod bound to this node:
//   - name "<name>-<node name>" (node name lower-cased), namespace "default" when empty;
//   - UID = MD5 of the pod as read (after API defaults) + "host:<node>" + "file:<path>", unless
//     the manifest sets one: editing the file gives a new pod, re-adding the same file the same UID;
//   - spec.nodeName = node; annotations kubernetes.io/config.hash (= UID),
//     kubernetes.io/config.source = "file", kubernetes.io/config.seen (RFC 3339, nanoseconds);
//   - a toleration {operator: Exists, effect: NoExecute}, so node taints never evict it;
//   - status.phase Pending.
#pragma once

#include <string>

#include "kube/types.h"

namespace nodeagent::kube {

inline constexpr const char* kConfigHashAnnotation = "kubernetes.io/config.hash";
inline constexpr const char* kConfigSourceAnnotation = "kubernetes.io/config.source";
inline constexpr const char* kConfigSeenAnnotation = "kubernetes.io/config.seen";
inline constexpr const char* kConfigMirrorAnnotation = "kubernetes.io/config.mirror";

// The UID a manifest gets (32 lower-case hex digits).
std::string static_pod_uid(const Pod& pod_as_read, const std::string& node_name, const std::string& source_path);

// `pod_as_read` is a decoded (API-defaulted) pod from `source_path`.
Pod make_static_pod(Pod pod_as_read, const std::string& node_name, const std::string& source_path, Time seen);

}  // namespace nodeagent::kube
