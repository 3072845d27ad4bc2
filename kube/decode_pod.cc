// Decoders for PodSpec and Container with everything inside them (env, probes, lifecycle,
// security contexts). Volumes are in decode_volume.cc, PodStatus in decode_status.cc.
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {
namespace {

EnvVarSource decode_env_var_source(ObjectReader& r) {
  EnvVarSource s;
  s.field_ref = r.object("fieldRef", decode_object_field_selector);
  s.resource_field_ref = r.object("resourceFieldRef", decode_resource_field_selector);
  s.config_map_key_ref = r.object("configMapKeyRef", [](ObjectReader& c) {
    return ConfigMapKeySelector{c.str("name"), c.str("key"), c.opt_bool("optional")};
  });
  s.secret_key_ref = r.object("secretKeyRef", [](ObjectReader& c) {
    return SecretKeySelector{c.str("name"), c.str("key"), c.opt_bool("optional")};
  });
  return s;
}

EnvVar decode_env_var(ObjectReader& r) {
  EnvVar e;
  e.name = r.str("name");
  e.value = r.str("value");
  e.value_from = r.object("valueFrom", decode_env_var_source);
  return e;
}

EnvFromSource decode_env_from(ObjectReader& r) {
  EnvFromSource e;
  e.prefix = r.str("prefix");
  e.config_map_ref = r.object("configMapRef", [](ObjectReader& c) {
    return ConfigMapEnvSource{c.str("name"), c.opt_bool("optional")};
  });
  e.secret_ref = r.object("secretRef", [](ObjectReader& c) {
    return SecretEnvSource{c.str("name"), c.opt_bool("optional")};
  });
  return e;
}

ContainerPort decode_container_port(ObjectReader& r) {
  ContainerPort p;
  p.name = r.str("name");
  p.host_port = r.i32("hostPort");
  p.container_port = r.i32("containerPort");
  p.protocol = r.str("protocol");
  p.host_ip = r.str("hostIP");
  return p;
}

VolumeMount decode_volume_mount(ObjectReader& r) {
  VolumeMount m;
  m.name = r.str("name");
  m.read_only = r.boolean("readOnly");
  m.mount_path = r.str("mountPath");
  m.sub_path = r.str("subPath");
  m.sub_path_expr = r.str("subPathExpr");
  m.mount_propagation = r.opt_str("mountPropagation");
  m.recursive_read_only = r.opt_str("recursiveReadOnly");
  return m;
}

ExecAction decode_exec(ObjectReader& r) { return ExecAction{r.strings("command")}; }

HTTPGetAction decode_http_get(ObjectReader& r) {
  HTTPGetAction a;
  a.path = r.str("path");
  a.port = r.int_or_string("port");
  a.host = r.str("host");
  a.scheme = r.str("scheme");
  a.http_headers = r.list("httpHeaders", [](ObjectReader& h) { return HTTPHeader{h.str("name"), h.str("value")}; });
  return a;
}

TCPSocketAction decode_tcp_socket(ObjectReader& r) { return TCPSocketAction{r.int_or_string("port"), r.str("host")}; }

GRPCAction decode_grpc(ObjectReader& r) { return GRPCAction{r.i32("port"), r.opt_str("service")}; }

Probe decode_probe(ObjectReader& r) {
  Probe p;
  p.handler.exec = r.object("exec", decode_exec);
  p.handler.http_get = r.object("httpGet", decode_http_get);
  p.handler.tcp_socket = r.object("tcpSocket", decode_tcp_socket);
  p.handler.grpc = r.object("grpc", decode_grpc);
  // Zero means "not set" upstream too (the defaults replace it).
  p.initial_delay_seconds = r.i32("initialDelaySeconds");
  p.timeout_seconds = r.i32("timeoutSeconds");
  p.period_seconds = r.i32("periodSeconds");
  p.success_threshold = r.i32("successThreshold");
  p.failure_threshold = r.i32("failureThreshold");
  p.termination_grace_period_seconds = r.opt_i64("terminationGracePeriodSeconds");
  return p;
}

LifecycleHandler decode_lifecycle_handler(ObjectReader& r) {
  LifecycleHandler h;
  h.exec = r.object("exec", decode_exec);
  h.http_get = r.object("httpGet", decode_http_get);
  h.tcp_socket = r.object("tcpSocket", decode_tcp_socket);
  h.sleep = r.object("sleep", [](ObjectReader& s) { return SleepAction{s.i64("seconds")}; });
  return h;
}

Lifecycle decode_lifecycle(ObjectReader& r) {
  Lifecycle l;
  l.post_start = r.object("postStart", decode_lifecycle_handler);
  l.pre_stop = r.object("preStop", decode_lifecycle_handler);
  l.stop_signal = r.opt_str("stopSignal");
  return l;
}

SeccompProfile decode_seccomp(ObjectReader& r) { return SeccompProfile{r.str("type"), r.opt_str("localhostProfile")}; }

SecurityContext decode_security_context(ObjectReader& r) {
  SecurityContext s;
  s.capabilities = r.object("capabilities", [](ObjectReader& c) {
    return Capabilities{c.strings("add"), c.strings("drop")};
  });
  s.privileged = r.opt_bool("privileged");
  s.run_as_user = r.opt_i64("runAsUser");
  s.run_as_group = r.opt_i64("runAsGroup");
  s.run_as_non_root = r.opt_bool("runAsNonRoot");
  s.read_only_root_filesystem = r.opt_bool("readOnlyRootFilesystem");
  s.allow_privilege_escalation = r.opt_bool("allowPrivilegeEscalation");
  s.proc_mount = r.opt_str("procMount");
  s.seccomp_profile = r.object("seccompProfile", decode_seccomp);
  s.se_linux_options = r.raw("seLinuxOptions");
  s.windows_options = r.raw("windowsOptions");
  s.app_armor_profile = r.raw("appArmorProfile");
  return s;
}

PodSecurityContext decode_pod_security_context(ObjectReader& r) {
  PodSecurityContext s;
  s.run_as_user = r.opt_i64("runAsUser");
  s.run_as_group = r.opt_i64("runAsGroup");
  s.run_as_non_root = r.opt_bool("runAsNonRoot");
  s.supplemental_groups = r.int64s("supplementalGroups");
  s.supplemental_groups_policy = r.opt_str("supplementalGroupsPolicy");
  s.fs_group = r.opt_i64("fsGroup");
  s.fs_group_change_policy = r.opt_str("fsGroupChangePolicy");
  s.sysctls = r.list("sysctls", [](ObjectReader& c) { return Sysctl{c.str("name"), c.str("value")}; });
  s.seccomp_profile = r.object("seccompProfile", decode_seccomp);
  s.se_linux_options = r.raw("seLinuxOptions");
  s.windows_options = r.raw("windowsOptions");
  s.app_armor_profile = r.raw("appArmorProfile");
  return s;
}

Toleration decode_toleration(ObjectReader& r) {
  Toleration t;
  t.key = r.str("key");
  t.operator_ = r.str("operator");
  t.value = r.str("value");
  t.effect = r.str("effect");
  t.toleration_seconds = r.opt_i64("tolerationSeconds");
  return t;
}

PodDNSConfig decode_dns_config(ObjectReader& r) {
  PodDNSConfig c;
  c.nameservers = r.strings("nameservers");
  c.searches = r.strings("searches");
  c.options = r.list("options", [](ObjectReader& o) { return PodDNSConfigOption{o.str("name"), o.opt_str("value")}; });
  return c;
}

}  // namespace

Container decode_container(ObjectReader& r) {
  Container c;
  c.name = r.str("name");
  c.image = r.str("image");
  c.command = r.strings("command");
  c.args = r.strings("args");
  c.working_dir = r.str("workingDir");
  c.ports = r.list("ports", decode_container_port);
  c.env_from = r.list("envFrom", decode_env_from);
  c.env = r.list("env", decode_env_var);
  if (auto res = r.object("resources", [](ObjectReader& rr) {
        rr.ignore("claims");  // dynamic resource allocation: not supported, harmless to skip
        return ResourceRequirements{rr.resource_list("limits"), rr.resource_list("requests")};
      })) {
    c.resources = *res;
  }
  c.resize_policy = r.raw("resizePolicy");
  c.restart_policy = r.opt_str("restartPolicy");
  c.volume_mounts = r.list("volumeMounts", decode_volume_mount);
  c.volume_devices = r.list("volumeDevices", [](ObjectReader& d) {
    return VolumeDevice{d.str("name"), d.str("devicePath")};
  });
  c.liveness_probe = r.object("livenessProbe", decode_probe);
  c.readiness_probe = r.object("readinessProbe", decode_probe);
  c.startup_probe = r.object("startupProbe", decode_probe);
  c.lifecycle = r.object("lifecycle", decode_lifecycle);
  c.termination_message_path = r.str("terminationMessagePath");
  c.termination_message_policy = r.str("terminationMessagePolicy");
  c.image_pull_policy = r.str("imagePullPolicy");
  c.security_context = r.object("securityContext", decode_security_context);
  c.stdin = r.boolean("stdin");
  c.stdin_once = r.boolean("stdinOnce");
  c.tty = r.boolean("tty");
  return c;
}

PodSpec decode_pod_spec(ObjectReader& r) {
  PodSpec s;
  s.volumes = r.list("volumes", decode_volume);
  s.init_containers = r.list("initContainers", decode_container);
  s.containers = r.list("containers", decode_container);
  s.ephemeral_containers = r.raw("ephemeralContainers");
  s.restart_policy = r.str("restartPolicy");
  s.termination_grace_period_seconds = r.opt_i64("terminationGracePeriodSeconds");
  s.active_deadline_seconds = r.opt_i64("activeDeadlineSeconds");
  s.dns_policy = r.str("dnsPolicy");
  s.node_selector = r.string_map("nodeSelector");
  s.service_account_name = r.str("serviceAccountName");
  s.service_account = r.str("serviceAccount");
  s.automount_service_account_token = r.opt_bool("automountServiceAccountToken");
  s.node_name = r.str("nodeName");
  s.host_network = r.boolean("hostNetwork");
  s.host_pid = r.boolean("hostPID");
  s.host_ipc = r.boolean("hostIPC");
  s.share_process_namespace = r.opt_bool("shareProcessNamespace");
  s.security_context = r.object("securityContext", decode_pod_security_context);
  s.image_pull_secrets = r.list("imagePullSecrets", [](ObjectReader& o) { return LocalObjectReference{o.str("name")}; });
  s.hostname = r.str("hostname");
  s.subdomain = r.str("subdomain");
  s.affinity = r.raw("affinity");
  s.scheduler_name = r.str("schedulerName");
  s.tolerations = r.list("tolerations", decode_toleration);
  s.host_aliases = r.list("hostAliases", [](ObjectReader& h) { return HostAlias{h.str("ip"), h.strings("hostnames")}; });
  s.priority_class_name = r.str("priorityClassName");
  s.priority = r.opt_i32("priority");
  s.dns_config = r.object("dnsConfig", decode_dns_config);
  s.readiness_gates = r.list("readinessGates", [](ObjectReader& g) { return PodReadinessGate{g.str("conditionType")}; });
  s.runtime_class_name = r.opt_str("runtimeClassName");
  s.enable_service_links = r.opt_bool("enableServiceLinks");
  s.preemption_policy = r.opt_str("preemptionPolicy");
  s.overhead = r.resource_list("overhead");
  s.topology_spread_constraints = r.raw("topologySpreadConstraints");
  s.set_hostname_as_fqdn = r.opt_bool("setHostnameAsFQDN");
  s.os = r.object("os", [](ObjectReader& o) { return PodOS{o.str("name")}; });
  s.host_users = r.opt_bool("hostUsers");
  s.scheduling_gates = r.raw("schedulingGates");
  s.resource_claims = r.raw("resourceClaims");
  return s;
}

}  // namespace nodeagent::kube::detail
