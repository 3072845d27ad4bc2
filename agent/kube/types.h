// The Kubernetes object model the agent acts on: core/v1 Pod, Service, Event and
// discovery.k8s.io/v1 EndpointSlice, as plain structs. Member names are the JSON names in
// snake_case (terminationGracePeriodSeconds -> termination_grace_period_seconds).
//
// Conventions:
//  - std::optional where upstream uses a pointer and absence means something (run_as_user,
//    active_deadline_seconds, probes, ...). Plain values where the API server always defaults
//    the field (restart_policy, dns_policy, image_pull_policy, ...): after decode() + defaults
//    these hold the defaulted value, never "".
//  - A volume source / probe handler / container state is "one of" several optionals; exactly
//    one is set in a valid object.
//  - Fields the agent keeps but does not interpret (affinity, topologySpreadConstraints, ...)
//    are RawJson: compact JSON text, "" when absent; the encoder writes them back unchanged.
//  - Times are metav1.Time (RFC 3339, second precision on the wire); Event.event_time is a
//    MicroTime (microseconds).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/kube/quantity.h"

namespace nodeagent::kube {

using Time = std::chrono::system_clock::time_point;
using StringMap = std::map<std::string, std::string>;
using ResourceList = std::map<std::string, Quantity>;  // "cpu", "memory", "ephemeral-storage", ...
using RawJson = std::string;                          // compact JSON text; "" = absent

// intstr.IntOrString: containerPort references like targetPort: 8080 or targetPort: "http".
struct IntOrString {
  bool is_string = false;
  int32_t int_value = 0;
  std::string str_value;

  static IntOrString from_int(int32_t v) { return {false, v, {}}; }
  static IntOrString from_string(std::string s) { return {true, 0, std::move(s)}; }
  std::string to_string() const { return is_string ? str_value : std::to_string(int_value); }
  friend bool operator==(const IntOrString&, const IntOrString&) = default;
};

// ---------------------------------------------------------------------------------------------
// Metadata

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
};

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;  // JSON "namespace" (a C++ keyword); defaulted to "default"
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::optional<Time> creation_timestamp;
  std::optional<Time> deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  RawJson managed_fields;  // kept for round trips, never interpreted
};

// ---------------------------------------------------------------------------------------------
// Env and resources

struct ObjectFieldSelector {
  std::string api_version = "v1";
  std::string field_path;  // metadata.name, metadata.namespace, metadata.uid, metadata.labels['x'],
                           // metadata.annotations['x'], spec.nodeName, spec.serviceAccountName,
                           // status.hostIP, status.hostIPs, status.podIP, status.podIPs
};

struct ResourceFieldSelector {
  std::string container_name;  // "" = this container
  std::string resource;        // limits.cpu, requests.memory, ...
  Quantity divisor;            // "0" (unset, as the API returns it) means 1
};

struct ConfigMapKeySelector {
  std::string name;
  std::string key;
  std::optional<bool> optional;
};

struct SecretKeySelector {
  std::string name;
  std::string key;
  std::optional<bool> optional;
};

struct EnvVarSource {
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  std::optional<ConfigMapKeySelector> config_map_key_ref;
  std::optional<SecretKeySelector> secret_key_ref;
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> value_from;
};

struct ConfigMapEnvSource {
  std::string name;
  std::optional<bool> optional;
};

struct SecretEnvSource {
  std::string name;
  std::optional<bool> optional;
};

struct EnvFromSource {
  std::string prefix;
  std::optional<ConfigMapEnvSource> config_map_ref;
  std::optional<SecretEnvSource> secret_ref;
};

struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;  // defaulted from limits for every resource that has only a limit
};

// ---------------------------------------------------------------------------------------------
// Ports, mounts, probes, lifecycle

struct ContainerPort {
  std::string name;  // IANA_SVC_NAME, optional
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol = "TCP";  // TCP | UDP | SCTP
  std::string host_ip;
};

struct VolumeMount {
  std::string name;
  bool read_only = false;
  std::string mount_path;
  std::string sub_path;
  std::string sub_path_expr;
  std::optional<std::string> mount_propagation;  // None | HostToContainer | Bidirectional
  std::optional<std::string> recursive_read_only;
};

struct VolumeDevice {
  std::string name;
  std::string device_path;
};

struct ExecAction {
  std::vector<std::string> command;
};

struct HTTPHeader {
  std::string name;
  std::string value;
};

struct HTTPGetAction {
  std::string path = "/";  // defaulted to "/" (probes and lifecycle hooks alike, as upstream)
  IntOrString port;
  std::string host;
  std::string scheme = "HTTP";  // HTTP | HTTPS
  std::vector<HTTPHeader> http_headers;
};

struct TCPSocketAction {
  IntOrString port;
  std::string host;
};

struct GRPCAction {
  int32_t port = 0;
  std::optional<std::string> service;  // nil and "" differ upstream: both mean the whole server
};

struct SleepAction {
  int64_t seconds = 0;
};

struct ProbeHandler {
  std::optional<ExecAction> exec;
  std::optional<HTTPGetAction> http_get;
  std::optional<TCPSocketAction> tcp_socket;
  std::optional<GRPCAction> grpc;
};

struct Probe {
  ProbeHandler handler;  // inlined on the wire: probe.exec, probe.httpGet, ...
  int32_t initial_delay_seconds = 0;
  int32_t timeout_seconds = 1;
  int32_t period_seconds = 10;
  int32_t success_threshold = 1;
  int32_t failure_threshold = 3;
  std::optional<int64_t> termination_grace_period_seconds;
};

struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HTTPGetAction> http_get;
  std::optional<TCPSocketAction> tcp_socket;  // deprecated upstream, accepted, not run
  std::optional<SleepAction> sleep;
};

struct Lifecycle {
  std::optional<LifecycleHandler> post_start;
  std::optional<LifecycleHandler> pre_stop;
  std::optional<std::string> stop_signal;
};

// ---------------------------------------------------------------------------------------------
// Security

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
};

struct SeccompProfile {
  std::string type;  // RuntimeDefault | Unconfined | Localhost
  std::optional<std::string> localhost_profile;
};

struct SecurityContext {
  std::optional<Capabilities> capabilities;
  std::optional<bool> privileged;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> allow_privilege_escalation;
  std::optional<std::string> proc_mount;
  std::optional<SeccompProfile> seccomp_profile;
  RawJson se_linux_options;
  RawJson windows_options;
  RawJson app_armor_profile;
};

struct Sysctl {
  std::string name;
  std::string value;
};

struct PodSecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::vector<int64_t> supplemental_groups;
  std::optional<std::string> supplemental_groups_policy;
  std::optional<int64_t> fs_group;
  std::optional<std::string> fs_group_change_policy;  // OnRootMismatch | Always
  std::vector<Sysctl> sysctls;
  std::optional<SeccompProfile> seccomp_profile;
  RawJson se_linux_options;
  RawJson windows_options;
  RawJson app_armor_profile;
};

// ---------------------------------------------------------------------------------------------
// Containers

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<ContainerPort> ports;
  std::vector<EnvFromSource> env_from;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  RawJson resize_policy;
  std::optional<std::string> restart_policy;  // init containers only: "Always" makes a sidecar
  std::vector<VolumeMount> volume_mounts;
  std::vector<VolumeDevice> volume_devices;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  std::optional<Lifecycle> lifecycle;
  std::string termination_message_path = "/dev/termination-log";
  std::string termination_message_policy = "File";  // File | FallbackToLogsOnError
  std::string image_pull_policy;  // Always | IfNotPresent | Never; defaulted from the tag
  std::optional<SecurityContext> security_context;
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;

  bool is_sidecar() const { return restart_policy && *restart_policy == "Always"; }
};

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

// ---------------------------------------------------------------------------------------------
// Service (core/v1)

struct ServicePort {
  std::string name;
  std::string protocol = "TCP";
  std::optional<std::string> app_protocol;
  int32_t port = 0;
  IntOrString target_port;  // defaulted to port
  int32_t node_port = 0;    // 0 = none (allocated by the API server for NodePort/LoadBalancer)
};

struct ClientIPConfig {
  int32_t timeout_seconds = 10800;
};

struct SessionAffinityConfig {
  std::optional<ClientIPConfig> client_ip;  // JSON "clientIP"
};

struct ServiceSpec {
  std::vector<ServicePort> ports;
  StringMap selector;  // empty = endpoints are managed by hand (no selector)
  std::string cluster_ip;  // "" | "None" (headless) | an IP
  std::vector<std::string> cluster_ips;
  std::string type = "ClusterIP";  // ClusterIP | NodePort | LoadBalancer | ExternalName
  std::vector<std::string> external_ips;
  std::string session_affinity = "None";  // None | ClientIP
  std::string load_balancer_ip;
  std::vector<std::string> load_balancer_source_ranges;
  std::string external_name;
  std::string external_traffic_policy;  // Cluster | Local; defaulted to Cluster for NodePort/LB
  int32_t health_check_node_port = 0;
  bool publish_not_ready_addresses = false;
  std::optional<SessionAffinityConfig> session_affinity_config;  // defaulted for ClientIP
  std::vector<std::string> ip_families;
  std::optional<std::string> ip_family_policy;
  std::optional<bool> allocate_load_balancer_node_ports;
  std::optional<std::string> load_balancer_class;
  std::string internal_traffic_policy = "Cluster";  // Cluster | Local
  std::optional<std::string> traffic_distribution;
};

struct PortStatus {
  int32_t port = 0;
  std::string protocol;
  std::optional<std::string> error;
};

struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  std::optional<std::string> ip_mode;
  std::vector<PortStatus> ports;
};

struct ServiceStatus {
  std::vector<LoadBalancerIngress> load_balancer_ingress;  // JSON status.loadBalancer.ingress
  RawJson conditions;
};

struct Service {
  ObjectMeta metadata;
  ServiceSpec spec;
  ServiceStatus status;
};

// ---------------------------------------------------------------------------------------------
// EndpointSlice (discovery.k8s.io/v1)

struct ObjectReference {
  std::string kind;
  std::string namespace_;  // JSON "namespace"
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
};

struct EndpointConditions {
  std::optional<bool> ready;        // nil means ready (upstream: "interpret as true")
  std::optional<bool> serving;
  std::optional<bool> terminating;
};

struct Endpoint {
  std::vector<std::string> addresses;
  EndpointConditions conditions;
  std::optional<std::string> hostname;
  std::optional<ObjectReference> target_ref;
  std::optional<std::string> node_name;
  std::optional<std::string> zone;
  RawJson hints;
};

struct EndpointPort {
  std::optional<std::string> name;
  std::optional<std::string> protocol;  // defaulted to TCP
  std::optional<int32_t> port;
  std::optional<std::string> app_protocol;
};

struct EndpointSlice {
  ObjectMeta metadata;  // label kubernetes.io/service-name names the Service
  std::string address_type;  // IPv4 | IPv6 | FQDN
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;
};

// ---------------------------------------------------------------------------------------------
// Event (core/v1), for `nodectl events` and the API server

struct EventSource {
  std::string component;  // "kubelet"
  std::string host;       // node name
};

struct Event {
  ObjectMeta metadata;
  ObjectReference involved_object;
  std::string reason;   // Scheduled | Pulling | Pulled | Created | Started | Killing | BackOff | Unhealthy ...
  std::string message;
  EventSource source;
  std::optional<Time> first_timestamp;
  std::optional<Time> last_timestamp;
  int32_t count = 0;
  std::string type;  // Normal | Warning
  std::optional<Time> event_time;  // MicroTime
  std::string action;
  std::string reporting_component;
  std::string reporting_instance;
};

}  // namespace nodeagent::kube
