// Encoders for Pod: spec (containers, probes, security) and status.
#include "kube/encode.h"
#include "kube/encode_parts.h"

namespace nodeagent::kube {

using nlohmann::json;
using namespace detail;

namespace {

json encode_http_get(const HTTPGetAction& a) {
  json o = json::object();
  put(o, "path", a.path);
  o["port"] = encode_int_or_string(a.port);
  put(o, "host", a.host);
  put(o, "scheme", a.scheme);
  if (!a.http_headers.empty()) {
    json headers = json::array();
    for (const auto& h : a.http_headers) headers.push_back({{"name", h.name}, {"value", h.value}});
    o["httpHeaders"] = std::move(headers);
  }
  return o;
}

json encode_exec(const ExecAction& e) {
  json o = json::object();
  put(o, "command", e.command);
  return o;
}

json encode_tcp_socket(const TCPSocketAction& t) {
  json o = {{"port", encode_int_or_string(t.port)}};
  put(o, "host", t.host);
  return o;
}

json encode_probe(const Probe& p) {
  json o = json::object();
  if (p.handler.exec) o["exec"] = encode_exec(*p.handler.exec);
  if (p.handler.http_get) o["httpGet"] = encode_http_get(*p.handler.http_get);
  if (p.handler.tcp_socket) o["tcpSocket"] = encode_tcp_socket(*p.handler.tcp_socket);
  if (p.handler.grpc) {
    o["grpc"] = {{"port", p.handler.grpc->port},
                 {"service", p.handler.grpc->service ? json(*p.handler.grpc->service) : json(nullptr)}};
  }
  put(o, "initialDelaySeconds", p.initial_delay_seconds);
  put(o, "timeoutSeconds", p.timeout_seconds);
  put(o, "periodSeconds", p.period_seconds);
  put(o, "successThreshold", p.success_threshold);
  put(o, "failureThreshold", p.failure_threshold);
  put(o, "terminationGracePeriodSeconds", p.termination_grace_period_seconds);
  return o;
}

json encode_lifecycle_handler(const LifecycleHandler& h) {
  json o = json::object();
  if (h.exec) o["exec"] = encode_exec(*h.exec);
  if (h.http_get) o["httpGet"] = encode_http_get(*h.http_get);
  if (h.tcp_socket) o["tcpSocket"] = encode_tcp_socket(*h.tcp_socket);
  if (h.sleep) o["sleep"] = {{"seconds", h.sleep->seconds}};
  return o;
}

json encode_seccomp(const SeccompProfile& s) {
  json o = {{"type", s.type}};
  put(o, "localhostProfile", s.localhost_profile);
  return o;
}

json encode_security_context(const SecurityContext& s) {
  json o = json::object();
  if (s.capabilities) {
    json caps = json::object();
    put(caps, "add", s.capabilities->add);
    put(caps, "drop", s.capabilities->drop);
    o["capabilities"] = std::move(caps);
  }
  put(o, "privileged", s.privileged);
  put_raw(o, "seLinuxOptions", s.se_linux_options);
  put_raw(o, "windowsOptions", s.windows_options);
  put(o, "runAsUser", s.run_as_user);
  put(o, "runAsGroup", s.run_as_group);
  put(o, "runAsNonRoot", s.run_as_non_root);
  put(o, "readOnlyRootFilesystem", s.read_only_root_filesystem);
  put(o, "allowPrivilegeEscalation", s.allow_privilege_escalation);
  put(o, "procMount", s.proc_mount);
  if (s.seccomp_profile) o["seccompProfile"] = encode_seccomp(*s.seccomp_profile);
  put_raw(o, "appArmorProfile", s.app_armor_profile);
  return o;
}

json encode_pod_security_context(const PodSecurityContext& s) {
  json o = json::object();
  put_raw(o, "seLinuxOptions", s.se_linux_options);
  put_raw(o, "windowsOptions", s.windows_options);
  put(o, "runAsUser", s.run_as_user);
  put(o, "runAsGroup", s.run_as_group);
  put(o, "runAsNonRoot", s.run_as_non_root);
  if (!s.supplemental_groups.empty()) o["supplementalGroups"] = s.supplemental_groups;
  put(o, "supplementalGroupsPolicy", s.supplemental_groups_policy);
  put(o, "fsGroup", s.fs_group);
  if (!s.sysctls.empty()) {
    json sysctls = json::array();
    for (const auto& x : s.sysctls) sysctls.push_back({{"name", x.name}, {"value", x.value}});
    o["sysctls"] = std::move(sysctls);
  }
  put(o, "fsGroupChangePolicy", s.fs_group_change_policy);
  if (s.seccomp_profile) o["seccompProfile"] = encode_seccomp(*s.seccomp_profile);
  put_raw(o, "appArmorProfile", s.app_armor_profile);
  return o;
}

json encode_env_var(const EnvVar& e) {
  json o = {{"name", e.name}};
  put(o, "value", e.value);
  if (e.value_from) {
    json from = json::object();
    const EnvVarSource& s = *e.value_from;
    if (s.field_ref) from["fieldRef"] = encode_object_field_selector(*s.field_ref);
    if (s.resource_field_ref) from["resourceFieldRef"] = encode_resource_field_selector(*s.resource_field_ref);
    if (s.config_map_key_ref) {
      json ref = {{"key", s.config_map_key_ref->key}};
      put(ref, "name", s.config_map_key_ref->name);
      put(ref, "optional", s.config_map_key_ref->optional);
      from["configMapKeyRef"] = std::move(ref);
    }
    if (s.secret_key_ref) {
      json ref = {{"key", s.secret_key_ref->key}};
      put(ref, "name", s.secret_key_ref->name);
      put(ref, "optional", s.secret_key_ref->optional);
      from["secretKeyRef"] = std::move(ref);
    }
    o["valueFrom"] = std::move(from);
  }
  return o;
}

json encode_env_from(const EnvFromSource& e) {
  json o = json::object();
  put(o, "prefix", e.prefix);
  if (e.config_map_ref) {
    json ref = json::object();
    put(ref, "name", e.config_map_ref->name);
    put(ref, "optional", e.config_map_ref->optional);
    o["configMapRef"] = std::move(ref);
  }
  if (e.secret_ref) {
    json ref = json::object();
    put(ref, "name", e.secret_ref->name);
    put(ref, "optional", e.secret_ref->optional);
    o["secretRef"] = std::move(ref);
  }
  return o;
}

json encode_resources(const ResourceRequirements& r) {
  json o = json::object();
  if (!r.limits.empty()) o["limits"] = encode_resource_list(r.limits);
  if (!r.requests.empty()) o["requests"] = encode_resource_list(r.requests);
  return o;
}

json encode_container(const Container& c) {
  json o = {{"name", c.name}};
  put(o, "image", c.image);
  put(o, "command", c.command);
  put(o, "args", c.args);
  put(o, "workingDir", c.working_dir);
  if (!c.ports.empty()) {
    json ports = json::array();
    for (const auto& p : c.ports) {
      json x = json::object();
      put(x, "name", p.name);
      put(x, "hostPort", p.host_port);
      x["containerPort"] = p.container_port;
      put(x, "protocol", p.protocol);
      put(x, "hostIP", p.host_ip);
      ports.push_back(std::move(x));
    }
    o["ports"] = std::move(ports);
  }
  if (!c.env_from.empty()) {
    o["envFrom"] = json::array();
    for (const auto& e : c.env_from) o["envFrom"].push_back(encode_env_from(e));
  }
  if (!c.env.empty()) {
    o["env"] = json::array();
    for (const auto& e : c.env) o["env"].push_back(encode_env_var(e));
  }
  o["resources"] = encode_resources(c.resources);
  put_raw(o, "resizePolicy", c.resize_policy);
  put(o, "restartPolicy", c.restart_policy);
  if (!c.volume_mounts.empty()) {
    json mounts = json::array();
    for (const auto& m : c.volume_mounts) {
      json x = {{"name", m.name}, {"mountPath", m.mount_path}};
      put(x, "readOnly", m.read_only);
      put(x, "recursiveReadOnly", m.recursive_read_only);
      put(x, "subPath", m.sub_path);
      put(x, "mountPropagation", m.mount_propagation);
      put(x, "subPathExpr", m.sub_path_expr);
      mounts.push_back(std::move(x));
    }
    o["volumeMounts"] = std::move(mounts);
  }
  if (!c.volume_devices.empty()) {
    json devices = json::array();
    for (const auto& d : c.volume_devices) devices.push_back({{"name", d.name}, {"devicePath", d.device_path}});
    o["volumeDevices"] = std::move(devices);
  }
  if (c.liveness_probe) o["livenessProbe"] = encode_probe(*c.liveness_probe);
  if (c.readiness_probe) o["readinessProbe"] = encode_probe(*c.readiness_probe);
  if (c.startup_probe) o["startupProbe"] = encode_probe(*c.startup_probe);
  if (c.lifecycle) {
    json l = json::object();
    if (c.lifecycle->post_start) l["postStart"] = encode_lifecycle_handler(*c.lifecycle->post_start);
    if (c.lifecycle->pre_stop) l["preStop"] = encode_lifecycle_handler(*c.lifecycle->pre_stop);
    put(l, "stopSignal", c.lifecycle->stop_signal);
    o["lifecycle"] = std::move(l);
  }
  put(o, "terminationMessagePath", c.termination_message_path);
  put(o, "terminationMessagePolicy", c.termination_message_policy);
  put(o, "imagePullPolicy", c.image_pull_policy);
  if (c.security_context) o["securityContext"] = encode_security_context(*c.security_context);
  put(o, "stdin", c.stdin);
  put(o, "stdinOnce", c.stdin_once);
  put(o, "tty", c.tty);
  return o;
}

json encode_containers(const std::vector<Container>& containers) {
  json out = json::array();
  for (const auto& c : containers) out.push_back(encode_container(c));
  return out;
}

json encode_container_state(const ContainerState& s) {
  json o = json::object();
  if (s.waiting) {
    json w = json::object();
    put(w, "reason", s.waiting->reason);
    put(w, "message", s.waiting->message);
    o["waiting"] = std::move(w);
  }
  if (s.running) {
    json r = json::object();
    put_time(r, "startedAt", s.running->started_at);
    o["running"] = std::move(r);
  }
  if (s.terminated) {
    const auto& t = *s.terminated;
    json x = {{"exitCode", t.exit_code}};
    put(x, "signal", t.signal);
    put(x, "reason", t.reason);
    put(x, "message", t.message);
    put_time(x, "startedAt", t.started_at);
    put_time(x, "finishedAt", t.finished_at);
    put(x, "containerID", t.container_id);
    o["terminated"] = std::move(x);
  }
  return o;
}

json encode_container_statuses(const std::vector<ContainerStatus>& statuses) {
  json out = json::array();
  for (const auto& s : statuses) {
    json o = {{"name", s.name},
              {"state", encode_container_state(s.state)},
              {"lastState", encode_container_state(s.last_state)},
              {"ready", s.ready},
              {"restartCount", s.restart_count},
              {"image", s.image},
              {"imageID", s.image_id}};
    put(o, "containerID", s.container_id);
    put(o, "started", s.started);
    put(o, "stopSignal", s.stop_signal);
    if (!s.allocated_resources.empty()) o["allocatedResources"] = encode_resource_list(s.allocated_resources);
    if (s.resources) o["resources"] = encode_resources(*s.resources);
    out.push_back(std::move(o));
  }
  return out;
}

json encode_pod_ips(const std::vector<PodIP>& ips) {
  json out = json::array();
  for (const auto& ip : ips) out.push_back({{"ip", ip.ip}});
  return out;
}

}  // namespace

namespace detail {

json encode_pod_spec(const PodSpec& s) {
  json o = json::object();
  if (!s.volumes.empty()) {
    o["volumes"] = json::array();
    for (const auto& v : s.volumes) o["volumes"].push_back(encode_volume(v));
  }
  if (!s.init_containers.empty()) o["initContainers"] = encode_containers(s.init_containers);
  o["containers"] = s.containers.empty() ? json(nullptr) : encode_containers(s.containers);
  put_raw(o, "ephemeralContainers", s.ephemeral_containers);
  put(o, "restartPolicy", s.restart_policy);
  put(o, "terminationGracePeriodSeconds", s.termination_grace_period_seconds);
  put(o, "activeDeadlineSeconds", s.active_deadline_seconds);
  put(o, "dnsPolicy", s.dns_policy);
  put(o, "nodeSelector", s.node_selector);
  put(o, "serviceAccountName", s.service_account_name);
  put(o, "serviceAccount", s.service_account);
  put(o, "automountServiceAccountToken", s.automount_service_account_token);
  put(o, "nodeName", s.node_name);
  put(o, "hostNetwork", s.host_network);
  put(o, "hostPID", s.host_pid);
  put(o, "hostIPC", s.host_ipc);
  put(o, "shareProcessNamespace", s.share_process_namespace);
  if (s.security_context) o["securityContext"] = encode_pod_security_context(*s.security_context);
  if (!s.image_pull_secrets.empty()) {
    o["imagePullSecrets"] = json::array();
    for (const auto& r : s.image_pull_secrets) o["imagePullSecrets"].push_back({{"name", r.name}});
  }
  put(o, "hostname", s.hostname);
  put(o, "subdomain", s.subdomain);
  put_raw(o, "affinity", s.affinity);
  put(o, "schedulerName", s.scheduler_name);
  if (!s.tolerations.empty()) {
    json tolerations = json::array();
    for (const auto& t : s.tolerations) {
      json x = json::object();
      put(x, "key", t.key);
      put(x, "operator", t.operator_);
      put(x, "value", t.value);
      put(x, "effect", t.effect);
      put(x, "tolerationSeconds", t.toleration_seconds);
      tolerations.push_back(std::move(x));
    }
    o["tolerations"] = std::move(tolerations);
  }
  if (!s.host_aliases.empty()) {
    json aliases = json::array();
    for (const auto& a : s.host_aliases) {
      json x = {{"ip", a.ip}};
      put(x, "hostnames", a.hostnames);
      aliases.push_back(std::move(x));
    }
    o["hostAliases"] = std::move(aliases);
  }
  put(o, "priorityClassName", s.priority_class_name);
  put(o, "priority", s.priority);
  if (s.dns_config) {
    json d = json::object();
    put(d, "nameservers", s.dns_config->nameservers);
    put(d, "searches", s.dns_config->searches);
    if (!s.dns_config->options.empty()) {
      d["options"] = json::array();
      for (const auto& opt : s.dns_config->options) {
        json x = json::object();
        put(x, "name", opt.name);
        put(x, "value", opt.value);
        d["options"].push_back(std::move(x));
      }
    }
    o["dnsConfig"] = std::move(d);
  }
  if (!s.readiness_gates.empty()) {
    o["readinessGates"] = json::array();
    for (const auto& g : s.readiness_gates) o["readinessGates"].push_back({{"conditionType", g.condition_type}});
  }
  put(o, "runtimeClassName", s.runtime_class_name);
  put(o, "enableServiceLinks", s.enable_service_links);
  put(o, "preemptionPolicy", s.preemption_policy);
  if (!s.overhead.empty()) o["overhead"] = encode_resource_list(s.overhead);
  put_raw(o, "topologySpreadConstraints", s.topology_spread_constraints);
  put(o, "setHostnameAsFQDN", s.set_hostname_as_fqdn);
  if (s.os) o["os"] = {{"name", s.os->name}};
  put(o, "hostUsers", s.host_users);
  put_raw(o, "schedulingGates", s.scheduling_gates);
  put_raw(o, "resourceClaims", s.resource_claims);
  return o;
}

}  // namespace detail

json encode(const PodStatus& s) {
  json o = json::object();
  put(o, "phase", s.phase);
  if (!s.conditions.empty()) {
    json conditions = json::array();
    for (const auto& c : s.conditions) {
      json x = {{"type", c.type}, {"status", c.status}};
      put_time(x, "lastProbeTime", c.last_probe_time);
      put_time(x, "lastTransitionTime", c.last_transition_time);
      put(x, "reason", c.reason);
      put(x, "message", c.message);
      conditions.push_back(std::move(x));
    }
    o["conditions"] = std::move(conditions);
  }
  put(o, "message", s.message);
  put(o, "reason", s.reason);
  put(o, "nominatedNodeName", s.nominated_node_name);
  put(o, "hostIP", s.host_ip);
  if (!s.host_ips.empty()) o["hostIPs"] = encode_pod_ips(s.host_ips);
  put(o, "podIP", s.pod_ip);
  if (!s.pod_ips.empty()) o["podIPs"] = encode_pod_ips(s.pod_ips);
  put_opt_time(o, "startTime", s.start_time);
  if (!s.init_container_statuses.empty()) o["initContainerStatuses"] = encode_container_statuses(s.init_container_statuses);
  if (!s.container_statuses.empty()) o["containerStatuses"] = encode_container_statuses(s.container_statuses);
  put(o, "qosClass", s.qos_class);
  if (!s.ephemeral_container_statuses.empty()) {
    o["ephemeralContainerStatuses"] = encode_container_statuses(s.ephemeral_container_statuses);
  }
  return o;
}

json encode(const Pod& pod) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", encode(pod.metadata)},
          {"spec", encode_pod_spec(pod.spec)},
          {"status", encode(pod.status)}};
}

}  // namespace nodeagent::kube
