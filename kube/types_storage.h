// Part of the object model (see types.h): PersistentVolume and PersistentVolumeClaim (core/v1),
// with the fields a binder and the node-local volume sources (hostPath, local) need.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/types_meta.h"
#include "kube/types_pod.h"

namespace nodeagent::kube {

// metav1.LabelSelector as written in objects (matchLabels / matchExpressions). The string
// syntax of `-l` is kube::LabelSelector (selector.h).
struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // JSON "operator": In | NotIn | Exists | DoesNotExist
  std::vector<std::string> values;
};

struct ObjectLabelSelector {
  StringMap match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
};

struct LocalVolumeSource {
  std::string path;
  std::optional<std::string> fs_type;
};

struct PersistentVolumeSpec {
  ResourceList capacity;  // "storage"
  std::vector<std::string> access_modes;  // ReadWriteOnce | ReadOnlyMany | ReadWriteMany | ReadWriteOncePod
  std::string storage_class_name;
  std::string volume_mode = "Filesystem";  // defaulted; Filesystem | Block
  std::optional<ObjectReference> claim_ref;
  std::string persistent_volume_reclaim_policy = "Retain";  // defaulted; Retain | Delete | Recycle
  std::vector<std::string> mount_options;
  RawJson node_affinity;
  // The sources this node can serve; others (nfs, csi, ...) are warned about as unknown fields.
  std::optional<HostPathVolumeSource> host_path;
  std::optional<LocalVolumeSource> local;
};

struct PersistentVolumeStatus {
  std::string phase = "Pending";  // defaulted; Pending | Available | Bound | Released | Failed
  std::string message;
  std::string reason;
};

struct PersistentVolume {
  ObjectMeta metadata;  // cluster-scoped: no namespace
  PersistentVolumeSpec spec;
  PersistentVolumeStatus status;
};

struct VolumeResourceRequirements {
  ResourceList requests;  // "storage"
  ResourceList limits;
};

struct PersistentVolumeClaimSpec {
  std::vector<std::string> access_modes;
  VolumeResourceRequirements resources;
  std::optional<std::string> storage_class_name;  // nil (the default class) differs from "" (none)
  std::string volume_name;                        // the PV it is (to be) bound to
  std::string volume_mode = "Filesystem";         // defaulted
  std::optional<ObjectLabelSelector> selector;
};

struct PersistentVolumeClaimStatus {
  std::string phase = "Pending";  // defaulted; Pending | Bound | Lost
  std::vector<std::string> access_modes;
  ResourceList capacity;
};

struct PersistentVolumeClaim {
  ObjectMeta metadata;
  PersistentVolumeClaimSpec spec;
  PersistentVolumeClaimStatus status;
};

}  // namespace nodeagent::kube
