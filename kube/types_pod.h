// Part of the object model (see types.h): volumes, PodSpec, PodStatus and Pod.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/types_container.h"

namespace nodeagent::kube {

// ---------------------------------------------------------------------------------------------
// Volumes

struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" (node disk) | "Memory" (tmpfs) | "HugePages" ...
  std::optional<Quantity> size_limit;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "" | DirectoryOrCreate | Directory | FileOrCreate | File | Socket | CharDevice | BlockDevice
};

struct ConfigMapVolumeSource {
  std::string name;
  std::vector<KeyToPath> items;
  int32_t default_mode = 0644;
  std::optional<bool> optional;
};

struct SecretVolumeSource {
  std::string secret_name;
  std::vector<KeyToPath> items;
  int32_t default_mode = 0644;
  std::optional<bool> optional;
};

struct DownwardAPIVolumeFile {
  std::string path;
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  std::optional<int32_t> mode;
};

struct DownwardAPIVolumeSource {
  std::vector<DownwardAPIVolumeFile> items;
  int32_t default_mode = 0644;
};

struct ServiceAccountTokenProjection {
  std::string audience;
  int64_t expiration_seconds = 3600;
  std::string path;
};

// One source of a projected volume (exactly one member set).
struct VolumeProjection {
  struct ConfigMapProjection {
    std::string name;
    std::vector<KeyToPath> items;
    std::optional<bool> optional;
  };
  struct SecretProjection {
    std::string name;
    std::vector<KeyToPath> items;
    std::optional<bool> optional;
  };
  struct DownwardAPIProjection {
    std::vector<DownwardAPIVolumeFile> items;
  };
  std::optional<ConfigMapProjection> config_map;
  std::optional<SecretProjection> secret;
  std::optional<DownwardAPIProjection> downward_api;
  std::optional<ServiceAccountTokenProjection> service_account_token;
  RawJson cluster_trust_bundle;  // unsupported by the agent; kept
};

struct ProjectedVolumeSource {
  std::vector<VolumeProjection> sources;
  int32_t default_mode = 0644;
};

struct PersistentVolumeClaimVolumeSource {
  std::string claim_name;
  bool read_only = false;
};

// A volume type the agent does not implement (nfs, csi, iscsi, ...): kept so the pod can be
// reported (and re-encoded) faithfully, and refused at admission with a clear message.
struct UnsupportedVolumeSource {
  std::string type;  // the JSON key, e.g. "nfs"
  RawJson raw;       // its value
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> empty_dir;
  std::optional<HostPathVolumeSource> host_path;
  std::optional<ConfigMapVolumeSource> config_map;
  std::optional<SecretVolumeSource> secret;
  std::optional<DownwardAPIVolumeSource> downward_api;
  std::optional<ProjectedVolumeSource> projected;
  std::optional<PersistentVolumeClaimVolumeSource> persistent_volume_claim;
  std::optional<UnsupportedVolumeSource> unsupported;
};

// ---------------------------------------------------------------------------------------------
// Pod spec

struct PodDNSConfigOption {
  std::string name;
  std::optional<std::string> value;
};

struct PodDNSConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDNSConfigOption> options;
};

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
};

struct Toleration {
  std::string key;
  std::string operator_;  // JSON "operator": Exists | Equal
  std::string value;
  std::string effect;     // NoSchedule | PreferNoSchedule | NoExecute
  std::optional<int64_t> toleration_seconds;
};

struct PodOS {
  std::string name;  // linux | windows
};

struct PodReadinessGate {
  std::string condition_type;
};

struct LocalObjectReference {
  std::string name;
};

struct PodSpec {
  std::vector<Volume> volumes;
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  RawJson ephemeral_containers;  // not supported; kept
  std::string restart_policy = "Always";  // Always | OnFailure | Never
  std::optional<int64_t> termination_grace_period_seconds;  // defaulted to 30
  std::optional<int64_t> active_deadline_seconds;
  std::string dns_policy = "ClusterFirst";  // ClusterFirst | ClusterFirstWithHostNet | Default | None
  StringMap node_selector;
  std::string service_account_name;
  std::string service_account;  // deprecated alias, kept in sync as upstream does
  std::optional<bool> automount_service_account_token;
  std::string node_name;
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::optional<bool> share_process_namespace;
  std::optional<PodSecurityContext> security_context;  // defaulted to {} as upstream
  std::vector<LocalObjectReference> image_pull_secrets;
  std::string hostname;
  std::string subdomain;
  RawJson affinity;
  std::string scheduler_name = "default-scheduler";
  std::vector<Toleration> tolerations;
  std::vector<HostAlias> host_aliases;
  std::string priority_class_name;
  std::optional<int32_t> priority;
  std::optional<PodDNSConfig> dns_config;
  std::vector<PodReadinessGate> readiness_gates;
  std::optional<std::string> runtime_class_name;
  std::optional<bool> enable_service_links;  // defaulted to true
  std::optional<std::string> preemption_policy;
  ResourceList overhead;
  RawJson topology_spread_constraints;
  std::optional<bool> set_hostname_as_fqdn;
  std::optional<PodOS> os;
  std::optional<bool> host_users;
  RawJson scheduling_gates;
  RawJson resource_claims;
};

// ---------------------------------------------------------------------------------------------
// Pod status

struct ContainerStateWaiting {
  std::string reason;  // ContainerCreating | PodInitializing | CrashLoopBackOff | ErrImagePull | ...
  std::string message;
};

struct ContainerStateRunning {
  std::optional<Time> started_at;
};

struct ContainerStateTerminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;  // Completed | Error | OOMKilled | ContainerCannotRun | ...
  std::string message;
  std::optional<Time> started_at;
  std::optional<Time> finished_at;
  std::string container_id;
};

// Exactly one member set; all empty means "no state known" ({} on the wire).
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
};

struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState last_state;
  bool ready = false;
  int32_t restart_count = 0;
  std::string image;
  std::string image_id;      // "docker.io/library/busybox@sha256:..." or "sha256:..."
  std::string container_id;  // "containerd://<id>"
  std::optional<bool> started;
  std::string stop_signal;   // the signal that stops it: lifecycle.stopSignal, else the image's, else SIGTERM
  ResourceList allocated_resources;
  std::optional<ResourceRequirements> resources;
};

struct PodCondition {
  std::string type;    // PodScheduled | PodReadyToStartContainers | Initialized | ContainersReady | Ready
  std::string status;  // True | False | Unknown
  std::optional<Time> last_probe_time;
  std::optional<Time> last_transition_time;
  std::string reason;
  std::string message;
};

struct PodIP {
  std::string ip;
};

struct PodStatus {
  std::string phase;  // Pending | Running | Succeeded | Failed | Unknown ("" before the first sync)
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;  // DeadlineExceeded | PodOSNotSupported | SysctlForbidden | Evicted ...
  std::string nominated_node_name;
  std::string host_ip;
  std::vector<PodIP> host_ips;
  std::string pod_ip;
  std::vector<PodIP> pod_ips;
  std::optional<Time> start_time;
  std::vector<ContainerStatus> init_container_statuses;
  std::vector<ContainerStatus> container_statuses;
  std::string qos_class;  // Guaranteed | Burstable | BestEffort
  std::vector<ContainerStatus> ephemeral_container_statuses;
};

struct Pod {
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
};

}  // namespace nodeagent::kube
