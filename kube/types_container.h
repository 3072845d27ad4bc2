// Part of the object model (see types.h): Container and what it holds (env, resources, ports,
// mounts, probes, lifecycle hooks, security contexts).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/types_meta.h"

namespace nodeagent::kube {

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

}  // namespace nodeagent::kube
