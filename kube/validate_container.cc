// Container validation (validateContainers / validateInitContainers upstream): name, image,
// ports, env, resources, volume mounts, probes, lifecycle hooks, security context.
#include <algorithm>

#include "kube/names.h"
#include "kube/quantity.h"
#include "kube/validation_parts.h"

namespace nodeagent::kube::detail {
namespace {

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

ErrorList validate_ports(const std::vector<ContainerPort>& ports, const std::string& path) {
  ErrorList errs;
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const ContainerPort& p = ports[i];
    const std::string idx = at(path, i);
    if (!p.name.empty()) {
      auto msgs = is_valid_port_name(p.name);
      for (const auto& m : msgs) errs.push_back(invalid_string(idx + ".name", p.name, m));
      if (msgs.empty() && !names.insert(p.name).second) errs.push_back(duplicate_value(idx + ".name", p.name));
    }
    if (p.container_port == 0) {
      errs.push_back(required_value(idx + ".containerPort"));
    } else {
      for (const auto& m : is_valid_port_num(p.container_port)) {
        errs.push_back(invalid_int(idx + ".containerPort", p.container_port, m));
      }
    }
    if (p.host_port != 0) {
      for (const auto& m : is_valid_port_num(p.host_port)) errs.push_back(invalid_int(idx + ".hostPort", p.host_port, m));
    }
    if (p.protocol.empty()) {
      errs.push_back(required_value(idx + ".protocol"));
    } else if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      errs.push_back(not_supported(idx + ".protocol", p.protocol, {"SCTP", "TCP", "UDP"}));
    }
    if (!p.host_ip.empty()) {
      for (const auto& m : is_valid_ip(p.host_ip)) errs.push_back(invalid_string(idx + ".hostIP", p.host_ip, m));
    }
  }
  return errs;
}

ErrorList validate_field_ref(const ObjectFieldSelector& ref, const std::string& path) {
  static const std::vector<std::string> kSupported = {
      "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
      "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"};
  ErrorList errs;
  if (ref.api_version.empty()) errs.push_back(required_value(path + ".apiVersion"));
  if (ref.field_path.empty()) {
    errs.push_back(required_value(path + ".fieldPath"));
    return errs;
  }
  const std::string& fp = ref.field_path;
  const bool subscript = (fp.rfind("metadata.labels['", 0) == 0 || fp.rfind("metadata.annotations['", 0) == 0) &&
                         fp.size() > 2 && fp.compare(fp.size() - 2, 2, "']") == 0;
  const bool whole_map = fp == "metadata.labels" || fp == "metadata.annotations";
  if (!subscript && !whole_map && std::find(kSupported.begin(), kSupported.end(), fp) == kSupported.end()) {
    // (Whole label/annotation maps are allowed here; env forbids them, see validate_env.)
    errs.push_back(not_supported(path + ".fieldPath", fp, kSupported));
  }
  return errs;
}

ErrorList validate_resource_field_ref(const ResourceFieldSelector& ref, const std::string& path) {
  static const std::vector<std::string> kSupported = {
      "limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory",
      "requests.ephemeral-storage"};
  ErrorList errs;
  if (ref.resource.empty()) {
    errs.push_back(required_value(path + ".resource"));
  } else if (std::find(kSupported.begin(), kSupported.end(), ref.resource) == kSupported.end() &&
             ref.resource.rfind("limits.hugepages-", 0) != 0 && ref.resource.rfind("requests.hugepages-", 0) != 0) {
    errs.push_back(not_supported(path + ".resource", ref.resource, kSupported));
  }
  if (ref.divisor.milli < 0) errs.push_back(invalid_string(path + ".divisor", to_string(ref.divisor), "must be greater than or equal to 0"));
  return errs;
}

ErrorList validate_env(const std::vector<EnvVar>& env, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < env.size(); ++i) {
    const EnvVar& e = env[i];
    const std::string idx = at(path, i);
    if (e.name.empty()) {
      errs.push_back(required_value(idx + ".name"));
    } else {
      for (const auto& m : is_relaxed_env_var_name(e.name)) errs.push_back(invalid_string(idx + ".name", e.name, m));
    }
    if (!e.value_from) continue;
    const EnvVarSource& s = *e.value_from;
    const std::string from = idx + ".valueFrom";
    int sources = 0;
    if (s.field_ref) {
      ++sources;
      append(errs, validate_field_ref(*s.field_ref, from + ".fieldRef"));
      if (s.field_ref->field_path == "metadata.labels" || s.field_ref->field_path == "metadata.annotations") {
        errs.push_back(not_supported(from + ".fieldRef.fieldPath", s.field_ref->field_path,
                                     {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                                      "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
                                      "status.podIP", "status.podIPs"}));
      }
    }
    if (s.resource_field_ref) {
      ++sources;
      append(errs, validate_resource_field_ref(*s.resource_field_ref, from + ".resourceFieldRef"));
    }
    auto check_key_ref = [&](const std::string& name, const std::string& key, const std::string& ref_path) {
      if (name.empty()) errs.push_back(required_value(ref_path + ".name"));
      if (key.empty()) {
        errs.push_back(required_value(ref_path + ".key"));
      } else {
        for (const auto& m : is_config_map_key(key)) errs.push_back(invalid_string(ref_path + ".key", key, m));
      }
    };
    if (s.config_map_key_ref) {
      ++sources;
      check_key_ref(s.config_map_key_ref->name, s.config_map_key_ref->key, from + ".configMapKeyRef");
    }
    if (s.secret_key_ref) {
      ++sources;
      check_key_ref(s.secret_key_ref->name, s.secret_key_ref->key, from + ".secretKeyRef");
    }
    if (sources == 0) {
      errs.push_back(invalid_string(from, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                              "`configMapKeyRef` or `secretKeyRef`"));
    } else if (sources > 1) {
      errs.push_back(invalid_string(from, "", "may not have more than one field specified at a time"));
    }
    if (!e.value.empty()) errs.push_back(invalid_string(from, "", "may not be specified when `value` is not empty"));
  }
  return errs;
}

ErrorList validate_env_from(const std::vector<EnvFromSource>& env_from, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < env_from.size(); ++i) {
    const EnvFromSource& e = env_from[i];
    const std::string idx = at(path, i);
    if (!e.prefix.empty()) {
      for (const auto& m : is_relaxed_env_var_name(e.prefix)) errs.push_back(invalid_string(idx + ".prefix", e.prefix, m));
    }
    int sources = 0;
    if (e.config_map_ref) {
      ++sources;
      if (e.config_map_ref->name.empty()) errs.push_back(required_value(idx + ".configMapRef.name"));
    }
    if (e.secret_ref) {
      ++sources;
      if (e.secret_ref->name.empty()) errs.push_back(required_value(idx + ".secretRef.name"));
    }
    if (sources == 0) {
      errs.push_back(invalid_string(idx, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      errs.push_back(invalid_string(idx, "", "may not have more than one field specified at a time"));
    }
  }
  return errs;
}

bool is_standard_container_resource(const std::string& name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" || name.rfind("hugepages-", 0) == 0 ||
         name.find('/') != std::string::npos;  // extended resources: example.com/gpu
}

ErrorList validate_resources(const ResourceRequirements& r, const std::string& path) {
  ErrorList errs;
  auto check_list = [&](const ResourceList& list, const std::string& list_path) {
    for (const auto& [name, q] : list) {
      const std::string p = list_path + "[" + name + "]";
      if (!is_standard_container_resource(name)) {
        errs.push_back(invalid_string(p, name, "must be a standard resource for containers"));
      }
      if (q.milli < 0) errs.push_back(invalid_string(p, to_string(q), "must be greater than or equal to 0"));
      if (name == "memory" && q.milli % 1000 != 0) {
        errs.push_back(invalid_string(p, to_string(q), "must be an integer"));
      }
    }
  };
  check_list(r.limits, path + ".limits");
  check_list(r.requests, path + ".requests");
  for (const auto& [name, request] : r.requests) {
    auto limit = r.limits.find(name);
    if (limit != r.limits.end() && request > limit->second) {
      errs.push_back(invalid_string(path + ".requests[" + name + "]", to_string(request),
                                    "must be less than or equal to " + name + " limit of " + to_string(limit->second)));
    }
  }
  return errs;
}

ErrorList validate_local_descending_path(const std::string& p, const std::string& path) {
  ErrorList errs;
  if (!p.empty() && p[0] == '/') errs.push_back(invalid_string(path, p, "must be a relative path"));
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0) {
      errs.push_back(invalid_string(path, p, "must not contain '..'"));
      break;
    }
    start = end + 1;
  }
  return errs;
}

ErrorList validate_volume_mounts(const Container& c, const std::string& path, const std::set<std::string>& volumes) {
  ErrorList errs;
  std::set<std::string> mount_paths;
  const bool privileged = c.security_context && c.security_context->privileged.value_or(false);
  for (size_t i = 0; i < c.volume_mounts.size(); ++i) {
    const VolumeMount& m = c.volume_mounts[i];
    const std::string idx = at(path, i);
    if (m.name.empty()) {
      errs.push_back(required_value(idx + ".name"));
    } else if (!volumes.count(m.name)) {
      errs.push_back(not_found(idx + ".name", m.name));
    }
    if (m.mount_path.empty()) {
      errs.push_back(required_value(idx + ".mountPath"));
    } else if (!mount_paths.insert(m.mount_path).second) {
      errs.push_back(invalid_string(idx + ".mountPath", m.mount_path, "must be unique"));
    }
    if (!m.sub_path.empty()) append(errs, validate_local_descending_path(m.sub_path, idx + ".subPath"));
    if (!m.sub_path_expr.empty()) {
      if (!m.sub_path.empty()) {
        errs.push_back(invalid_string(idx + ".subPathExpr", m.sub_path_expr, "subPathExpr and subPath are mutually exclusive"));
      }
      append(errs, validate_local_descending_path(m.sub_path_expr, idx + ".subPathExpr"));
    }
    if (m.mount_propagation) {
      const std::string& mp = *m.mount_propagation;
      if (mp != "None" && mp != "HostToContainer" && mp != "Bidirectional") {
        errs.push_back(not_supported(idx + ".mountPropagation", mp, {"Bidirectional", "HostToContainer", "None"}));
      } else if (mp == "Bidirectional" && !privileged) {
        errs.push_back(forbidden(idx + ".mountPropagation",
                                 "Bidirectional mount propagation is available only to privileged containers"));
      }
    }
    if (m.recursive_read_only) {
      const std::string& rro = *m.recursive_read_only;
      if (rro == "Enabled" || rro == "IfPossible") {
        if (!m.read_only)
          errs.push_back(forbidden(idx + ".recursiveReadOnly", "may only be specified when readOnly is true"));
        if (m.mount_propagation && *m.mount_propagation != "None")
          errs.push_back(forbidden(idx + ".recursiveReadOnly",
                                   "may only be specified when mountPropagation is None or not specified"));
      } else if (rro != "Disabled") {
        errs.push_back(not_supported(idx + ".recursiveReadOnly", rro, {"Disabled", "Enabled", "IfPossible"}));
      }
    }
  }
  return errs;
}

ErrorList validate_http_get(const HTTPGetAction& a, const std::string& path) {
  ErrorList errs;
  if (a.path.empty()) errs.push_back(required_value(path + ".path"));
  append(errs, validate_port_num_or_name(a.port, path + ".port"));
  if (a.scheme != "HTTP" && a.scheme != "HTTPS") errs.push_back(not_supported(path + ".scheme", a.scheme, {"HTTP", "HTTPS"}));
  for (size_t i = 0; i < a.http_headers.size(); ++i) {
    const std::string& name = a.http_headers[i].name;
    if (name.empty() || name.find_first_of(" :\t\r\n") != std::string::npos) {
      errs.push_back(invalid_string(at(path + ".httpHeaders", i) + ".name", name, "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
    }
  }
  return errs;
}

// What a probe's or hook's handler is checked against.
struct HandlerContext {
  const std::optional<int64_t>& grace_period;  // the pod's terminationGracePeriodSeconds
};

// Exactly one handler (validateHandler upstream); the errors about the handler's fields too.
ErrorList validate_handler(const std::optional<ExecAction>& exec, const std::optional<HTTPGetAction>& http_get,
                           const std::optional<TCPSocketAction>& tcp_socket, const std::optional<GRPCAction>& grpc,
                           const std::optional<SleepAction>& sleep, const std::string& path,
                           const HandlerContext& ctx) {
  ErrorList errs;
  int handlers = 0;
  auto count = [&](bool set, const char* name) {
    if (!set) return false;
    if (++handlers > 1) {
      errs.push_back(forbidden(path + "." + name, "may not specify more than 1 handler type"));
      return false;
    }
    return true;
  };
  if (count(exec.has_value(), "exec") && exec->command.empty()) errs.push_back(required_value(path + ".exec.command"));
  if (count(http_get.has_value(), "httpGet")) {
    append(errs, validate_http_get(*http_get, path + ".httpGet"));
  }
  if (count(tcp_socket.has_value(), "tcpSocket")) {
    // Only the name's syntax, as upstream: a name the container does not declare is accepted
    // and fails the probe at run time (kubelet's `port "x" not found`).
    append(errs, validate_port_num_or_name(tcp_socket->port, path + ".tcpSocket.port"));
  }
  if (count(grpc.has_value(), "grpc")) {
    for (const auto& m : is_valid_port_num(grpc->port)) errs.push_back(invalid_int(path + ".grpc.port", grpc->port, m));
  }
  // validateSleepAction: no check while the pod's own grace period is unset (or invalid).
  if (count(sleep.has_value(), "sleep") && ctx.grace_period &&
      (sleep->seconds < 0 || sleep->seconds > *ctx.grace_period)) {
    errs.push_back(invalid_int(path + ".sleep", sleep->seconds,
                               "must be non-negative and less than terminationGracePeriodSeconds (" +
                                   std::to_string(*ctx.grace_period) + ")"));
  }
  if (handlers == 0) errs.push_back(required_value(path, "must specify a handler type"));
  return errs;
}

enum class ProbeKind { kLiveness, kReadiness, kStartup };

ErrorList validate_probe(const Probe& p, const std::string& path, ProbeKind kind, const HandlerContext& ctx) {
  ErrorList errs;
  append(errs, validate_handler(p.handler.exec, p.handler.http_get, p.handler.tcp_socket, p.handler.grpc,
                                std::nullopt, path, ctx));
  auto nonnegative = [&](int64_t v, const char* name) {
    if (v < 0) errs.push_back(invalid_int(path + "." + name, v, "must be greater than or equal to 0"));
  };
  nonnegative(p.initial_delay_seconds, "initialDelaySeconds");
  nonnegative(p.timeout_seconds, "timeoutSeconds");
  nonnegative(p.period_seconds, "periodSeconds");
  nonnegative(p.success_threshold, "successThreshold");
  nonnegative(p.failure_threshold, "failureThreshold");
  if (p.termination_grace_period_seconds && *p.termination_grace_period_seconds <= 0) {
    errs.push_back(invalid_int(path + ".terminationGracePeriodSeconds", *p.termination_grace_period_seconds,
                               "must be greater than 0"));
  }
  if (kind != ProbeKind::kReadiness && p.success_threshold != 1) {
    errs.push_back(invalid_int(path + ".successThreshold", p.success_threshold, "must be 1"));
  }
  if (kind == ProbeKind::kReadiness && p.termination_grace_period_seconds) {
    errs.push_back(invalid_int(path + ".terminationGracePeriodSeconds", *p.termination_grace_period_seconds,
                               "must not be set for readinessProbes"));
  }
  return errs;
}

// The stop signals upstream accepts for Linux pods (supportedStopSignalsLinux).
const std::vector<std::string>& linux_stop_signals() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v = {
        "SIGABRT", "SIGALRM", "SIGBUS",  "SIGCHLD", "SIGCLD",  "SIGCONT",   "SIGFPE",    "SIGHUP",    "SIGILL",
        "SIGINT",  "SIGIO",   "SIGIOT",  "SIGKILL", "SIGPIPE", "SIGPOLL",   "SIGPROF",   "SIGPWR",    "SIGQUIT",
        "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP",  "SIGTSTP",   "SIGTTIN",   "SIGTTOU",
        "SIGURG",  "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGWINCH", "SIGXCPU", "SIGXFSZ", "SIGRTMIN", "SIGRTMAX"};
    for (int i = 1; i <= 15; ++i) v.push_back("SIGRTMIN+" + std::to_string(i));
    for (int i = 1; i <= 14; ++i) v.push_back("SIGRTMAX-" + std::to_string(i));
    std::sort(v.begin(), v.end());  // upstream lists them sorted (sets.List)
    return v;
  }();
  return names;
}

ErrorList validate_stop_signal(const std::string& signal, const std::string& path, const std::optional<PodOS>& os) {
  if (!os) return {forbidden(path, "may not be set for containers with empty `spec.os.name`")};
  if (os->name == "windows") {
    if (signal != "SIGKILL" && signal != "SIGTERM") return {not_supported(path, signal, {"SIGKILL", "SIGTERM"})};
  } else if (os->name == "linux") {
    const auto& ok = linux_stop_signals();
    if (std::find(ok.begin(), ok.end(), signal) == ok.end()) return {not_supported(path, signal, ok)};
  }
  return {};
}

ErrorList validate_lifecycle(const Lifecycle& l, const std::string& path, const HandlerContext& ctx,
                             const std::optional<PodOS>& os) {
  ErrorList errs;
  if (l.post_start) {
    append(errs, validate_handler(l.post_start->exec, l.post_start->http_get, l.post_start->tcp_socket,
                                  std::nullopt, l.post_start->sleep, path + ".postStart", ctx));
  }
  if (l.pre_stop) {
    append(errs, validate_handler(l.pre_stop->exec, l.pre_stop->http_get, l.pre_stop->tcp_socket, std::nullopt,
                                  l.pre_stop->sleep, path + ".preStop", ctx));
  }
  if (l.stop_signal) append(errs, validate_stop_signal(*l.stop_signal, path + ".stopSignal", os));
  return errs;
}

ErrorList validate_security_context(const SecurityContext& s, const std::string& path) {
  ErrorList errs;
  if (s.run_as_user) {
    for (const auto& m : is_valid_user_id(*s.run_as_user)) errs.push_back(invalid_int(path + ".runAsUser", *s.run_as_user, m));
  }
  if (s.run_as_group) {
    for (const auto& m : is_valid_group_id(*s.run_as_group)) errs.push_back(invalid_int(path + ".runAsGroup", *s.run_as_group, m));
  }
  if (s.privileged.value_or(false) && s.allow_privilege_escalation && !*s.allow_privilege_escalation) {
    errs.push_back(invalid_string(path, "", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
  }
  if (s.proc_mount && *s.proc_mount != "Default" && *s.proc_mount != "Unmasked") {
    errs.push_back(not_supported(path + ".procMount", *s.proc_mount, {"Default", "Unmasked"}));
  }
  return errs;
}

}  // namespace

ErrorList validate_port_num_or_name(const IntOrString& port, const std::string& path) {
  ErrorList errs;
  if (port.is_string) {
    for (const auto& m : is_valid_port_name(port.str_value)) errs.push_back(invalid_string(path, port.str_value, m));
  } else {
    for (const auto& m : is_valid_port_num(port.int_value)) errs.push_back(invalid_int(path, port.int_value, m));
  }
  return errs;
}

ErrorList validate_container(const Container& c, const std::string& path, ContainerKind kind,
                             const std::set<std::string>& volumes, const PodSpec& spec) {
  ErrorList errs;
  if (c.name.empty()) {
    errs.push_back(required_value(path + ".name"));
  } else {
    for (const auto& m : is_dns1123_label(c.name)) errs.push_back(invalid_string(path + ".name", c.name, m));
  }
  if (c.image.empty()) {
    errs.push_back(required_value(path + ".image"));
  } else if (c.image.find_first_not_of(" \t\r\n") != 0 || c.image.find_last_not_of(" \t\r\n") != c.image.size() - 1) {
    errs.push_back(invalid_string(path + ".image", c.image, "must not have leading or trailing whitespace"));
  }
  append(errs, validate_ports(c.ports, path + ".ports"));
  append(errs, validate_env(c.env, path + ".env"));
  append(errs, validate_env_from(c.env_from, path + ".envFrom"));
  append(errs, validate_resources(c.resources, path + ".resources"));
  append(errs, validate_volume_mounts(c, path + ".volumeMounts", volumes));

  const bool sidecar = kind == ContainerKind::kInit && c.is_sidecar();
  if (c.restart_policy) {
    if (kind == ContainerKind::kApp) {
      errs.push_back(forbidden(path + ".restartPolicy", "may not be set for non-init containers"));
    } else if (*c.restart_policy != "Always") {
      errs.push_back(not_supported(path + ".restartPolicy", *c.restart_policy, {"Always"}));
    }
  }
  if (kind == ContainerKind::kInit && !sidecar) {
    // Plain init containers run to completion: probes and lifecycle hooks make no sense.
    if (c.liveness_probe) errs.push_back(forbidden(path + ".livenessProbe", "may not be set for init containers without restartPolicy=Always"));
    if (c.readiness_probe) errs.push_back(forbidden(path + ".readinessProbe", "may not be set for init containers without restartPolicy=Always"));
    if (c.startup_probe) errs.push_back(forbidden(path + ".startupProbe", "may not be set for init containers without restartPolicy=Always"));
    if (c.lifecycle) errs.push_back(forbidden(path + ".lifecycle", "may not be set for init containers without restartPolicy=Always"));
  } else {
    const HandlerContext ctx{spec.termination_grace_period_seconds};
    if (c.lifecycle) append(errs, validate_lifecycle(*c.lifecycle, path + ".lifecycle", ctx, spec.os));
    if (c.liveness_probe) append(errs, validate_probe(*c.liveness_probe, path + ".livenessProbe", ProbeKind::kLiveness, ctx));
    if (c.readiness_probe)
      append(errs, validate_probe(*c.readiness_probe, path + ".readinessProbe", ProbeKind::kReadiness, ctx));
    if (c.startup_probe) append(errs, validate_probe(*c.startup_probe, path + ".startupProbe", ProbeKind::kStartup, ctx));
  }
  if (c.image_pull_policy.empty()) {
    errs.push_back(required_value(path + ".imagePullPolicy"));
  } else if (c.image_pull_policy != "Always" && c.image_pull_policy != "IfNotPresent" && c.image_pull_policy != "Never") {
    errs.push_back(not_supported(path + ".imagePullPolicy", c.image_pull_policy, {"Always", "IfNotPresent", "Never"}));
  }
  if (c.termination_message_policy.empty()) {
    errs.push_back(required_value(path + ".terminationMessagePolicy"));
  } else if (c.termination_message_policy != "File" && c.termination_message_policy != "FallbackToLogsOnError") {
    errs.push_back(not_supported(path + ".terminationMessagePolicy", c.termination_message_policy,
                                 {"File", "FallbackToLogsOnError"}));
  }
  if (c.security_context) append(errs, validate_security_context(*c.security_context, path + ".securityContext"));
  return errs;
}

}  // namespace nodeagent::kube::detail
