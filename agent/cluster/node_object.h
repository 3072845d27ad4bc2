// This node's v1.Node, built as kubelet builds it (pkg/kubelet/kubelet_node_status.go initialNode
// and pkg/kubelet/nodestatus/setters.go). Pure: every input is a fact the agent gathered
// (node_host_facts.h reads the host's), so the JSON can be checked field by field in tests.
//
//   node_for_registration(facts, health, now)   the POST /api/v1/nodes body
//   node_status(facts, health, existing, now)   the status the node reports now: the existing
//                                               status with the fields kubelet owns rewritten
//                                               and its conditions moved on
//   node_status_changed(old, new)               whether that is worth a PATCH (heartbeat times
//                                               and quantity spellings do not count)
//   node_status_patch(old, new)                 the strategic merge patch from old to new
//
// Conditions follow kubelet's setters: MemoryPressure, DiskPressure, PIDPressure and Ready with
// kubelet's reasons and messages; lastHeartbeatTime is always now, lastTransitionTime changes
// only when the status does (and the pressure conditions' reason and message with it).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cluster/node_flags.h"
#include "kube/pod_resources.h"
#include "kube/types.h"
#include "runtime/types.h"

namespace nodeagent::cluster {

// One entry of status.images.
struct NodeImage {
  std::vector<std::string> names;  // repo digests, then repo tags (at most 5)
  int64_t size_bytes = 0;
};

// kubelet's hard eviction thresholds that reduce allocatable (evictionHard defaults).
struct HardEviction {
  int64_t memory_available_bytes = 100 * 1024 * 1024;  // memory.available<100Mi
  int nodefs_available_percent = 10;                    // nodefs.available<10%
};

struct NodeFacts {
  std::string name;
  std::string hostname;  // the Hostname address (kubelet: --hostname-override or the host's name)
  std::string node_ip;   // the InternalIP address; "" = none known
  // kubernetes.io/hostname, os, arch (stable and beta) and --node-labels: kube::node_labels().
  kube::StringMap labels;
  std::vector<Taint> taints;  // --register-with-taints
  bool unschedulable = false; // --register-schedulable=false: adds the unschedulable taint

  // Capacity.
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;             // MemTotal
  int64_t ephemeral_storage_bytes = 0;  // the root dir's filesystem size
  int64_t max_pods = 110;               // --max-pods
  std::map<std::string, int64_t> hugepages;  // "hugepages-2Mi" -> bytes pre-allocated

  // Allocatable = capacity - kube reserved - system reserved - hard eviction.
  ResourceAmounts kube_reserved;
  ResourceAmounts system_reserved;
  HardEviction eviction;

  // status.nodeInfo.
  std::string machine_id;
  std::string system_uuid;
  std::string boot_id;
  std::string kernel_version;
  std::string os_image;
  std::string container_runtime_version;  // "containerd://1.6.20~ds1"
  std::string kubelet_version;            // "v0.1.0": util/version.h with a "v"
  std::string kube_proxy_version;         // "" as kubelet >= 1.33 (the field is deprecated)
  std::string architecture;               // GOARCH: amd64, arm64
  int64_t swap_bytes = 0;                 // nodeInfo.swap.capacity (SwapTotal, NodeSwap); 0 = not reported
  int kubelet_port = 10250;               // daemonEndpoints.kubeletEndpoint.Port

  std::vector<NodeImage> images;
};

// What the node's health says right now (kubelet's runtimeState and eviction manager). Each
// error makes the node NotReady; their messages become the Ready condition's message.
struct NodeHealth {
  std::vector<std::string> runtime_errors;  // "container runtime is down", "PLEG is not healthy: ..."
  std::vector<std::string> network_errors;  // "container runtime network not ready: ..."
  std::vector<std::string> storage_errors;
  bool memory_pressure = false;
  bool disk_pressure = false;
  bool pid_pressure = false;
};

// An event kubelet records on its Node when a condition changes: reason NodeReady,
// NodeNotReady, NodeHasSufficientMemory, ..., message "Node <name> status is now: <reason>";
// and NodeRebooted (Warning) when the boot ID changed.
struct NodeEvent {
  std::string type = "Normal";  // Normal | Warning
  std::string reason;
  std::string message;
};

struct NodeStatusUpdate {
  nlohmann::json status;  // the whole v1 NodeStatus
  std::vector<NodeEvent> events;
};

// status.images from the image service's list: biggest first, at most `max_images` (kubelet's
// nodeStatusMaxImages, 50), names = digests then tags, at most 5.
std::vector<NodeImage> node_images(std::vector<runtime::ImageInfo> images, size_t max_images = 50);

// Capacity and allocatable as v1 ResourceLists (canonical quantities, as the API server prints).
nlohmann::json node_capacity(const NodeFacts& facts);
nlohmann::json node_allocatable(const NodeFacts& facts);
// The same allocatable in milli units per resource, for pod admission.
kube::MilliAmounts node_allocatable_amounts(const NodeFacts& facts);

// The Node to POST: metadata (name, labels, the controller-managed attach/detach annotation),
// spec.taints, and the status (conditions with lastTransitionTime = now).
nlohmann::json node_for_registration(const NodeFacts& facts, const NodeHealth& health, kube::Time now);

// `existing` is the Node's status as read from the API server (null or {} for none).
NodeStatusUpdate node_status(const NodeFacts& facts, const NodeHealth& health, const nlohmann::json& existing,
                             kube::Time now);

// kubelet's nodeStatusHasChanged: conditions compared without lastHeartbeatTime, quantities
// by value.
bool node_status_changed(const nlohmann::json& old_status, const nlohmann::json& new_status);

// {"status": {...}} with only the fields that differ: maps carry null for removed keys,
// conditions merge by type, addresses are replaced whole ({"$patch":"replace"}, as kubelet's
// fixupPatchForNodeStatusAddresses), other lists are replaced by the API server anyway.
nlohmann::json node_status_patch(const nlohmann::json& old_status, const nlohmann::json& new_status);

// The labels kubelet keeps on an existing Node at registration (updateDefaultLabels): for each
// of its default label keys that `facts` sets, the existing value is replaced when different
// (null removes one set to ""). Returns the metadata.labels patch ({} when nothing is to change).
nlohmann::json default_label_updates(const NodeFacts& facts, const nlohmann::json& existing_labels);

// What kubelet reconciles when its Node already exists (tryRegisterWithAPIServer): the default
// labels above and the controller-managed attach/detach annotation; everything else (labels
// others set, --node-labels added later, taints, spec) stays as it is. The strategic merge
// patch for nodes/<name>/status ({} when nothing is to change).
nlohmann::json reconcile_existing_node(const NodeFacts& facts, const nlohmann::json& existing_node);

}  // namespace nodeagent::cluster
