// Pod-level validation (ValidatePodCreate / ValidatePodSpec upstream): metadata, volumes,
// container name uniqueness across init + app containers, pod-wide policies.
#include <algorithm>
#include <cctype>

#include "kube/names.h"
#include "kube/node_affinity.h"
#include "kube/validation.h"
#include "kube/validation_parts.h"
#include "util/pod_state_dir.h"

namespace nodeagent::kube {

using namespace detail;

namespace {

// validatePathNoBacksteps: no ".." component.
bool has_backstep(const std::string& p) {
  size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (p.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

ErrorList validate_key_to_paths(const std::vector<KeyToPath>& items, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string idx = at(path, i);
    if (items[i].key.empty()) errs.push_back(required_value(idx + ".key"));
    if (items[i].path.empty()) {
      errs.push_back(required_value(idx + ".path"));
    } else if (items[i].path[0] == '/') {
      errs.push_back(invalid_string(idx + ".path", items[i].path, "must be a relative path"));
    }
    if (items[i].mode && (*items[i].mode < 0 || *items[i].mode > 0777)) {
      errs.push_back(invalid_int(idx + ".mode", *items[i].mode, "must be a number between 0 and 0777 (octal), both inclusive"));
    }
  }
  return errs;
}

ErrorList validate_mode(int32_t mode, const std::string& path) {
  if (mode >= 0 && mode <= 0777) return {};
  return {invalid_int(path, mode, "must be a number between 0 and 0777 (octal), both inclusive")};
}

ErrorList validate_volume_source(const Volume& v, const std::string& path) {
  ErrorList errs;
  int sources = 0;
  auto count = [&](bool set, const std::string& name) {
    if (!set) return false;
    if (++sources > 1) {
      errs.push_back(forbidden(path + "." + name, "may not specify more than 1 volume type"));
      return false;
    }
    return true;
  };
  if (count(v.empty_dir.has_value(), "emptyDir")) {
    if (v.empty_dir->size_limit && v.empty_dir->size_limit->milli < 0) {
      errs.push_back(forbidden(path + ".emptyDir.sizeLimit", "SizeLimit field must be a valid resource quantity"));
    }
  }
  if (count(v.host_path.has_value(), "hostPath")) {
    static const std::vector<std::string> kTypes = {"",     "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate",
                                                    "File", "FileOrCreate", "Socket"};
    if (v.host_path->path.empty()) errs.push_back(required_value(path + ".hostPath.path"));
    if (has_backstep(v.host_path->path))
      errs.push_back(invalid_string(path + ".hostPath.path", v.host_path->path, "must not contain '..'"));
    if (std::find(kTypes.begin(), kTypes.end(), v.host_path->type) == kTypes.end()) {
      errs.push_back(not_supported(path + ".hostPath.type", v.host_path->type, kTypes));
    }
  }
  if (count(v.config_map.has_value(), "configMap")) {
    if (v.config_map->name.empty()) errs.push_back(required_value(path + ".configMap.name"));
    append(errs, validate_mode(v.config_map->default_mode, path + ".configMap.defaultMode"));
    append(errs, validate_key_to_paths(v.config_map->items, path + ".configMap.items"));
  }
  if (count(v.secret.has_value(), "secret")) {
    if (v.secret->secret_name.empty()) errs.push_back(required_value(path + ".secret.secretName"));
    append(errs, validate_mode(v.secret->default_mode, path + ".secret.defaultMode"));
    append(errs, validate_key_to_paths(v.secret->items, path + ".secret.items"));
  }
  if (count(v.downward_api.has_value(), "downwardAPI")) {
    append(errs, validate_mode(v.downward_api->default_mode, path + ".downwardAPI.defaultMode"));
    for (size_t i = 0; i < v.downward_api->items.size(); ++i) {
      const auto& item = v.downward_api->items[i];
      const std::string idx = at(path + ".downwardAPI.items", i);
      if (item.path.empty()) errs.push_back(required_value(idx + ".path"));
      if (item.field_ref.has_value() == item.resource_field_ref.has_value()) {
        errs.push_back(invalid_string(idx, "", "fieldRef and resourceFieldRef can not be specified simultaneously"));
      }
    }
  }
  if (count(v.projected.has_value(), "projected")) {
    append(errs, validate_mode(v.projected->default_mode, path + ".projected.defaultMode"));
    for (size_t i = 0; i < v.projected->sources.size(); ++i) {
      const auto& s = v.projected->sources[i];
      const int n = s.config_map.has_value() + s.secret.has_value() + s.downward_api.has_value() +
                    s.service_account_token.has_value() + !s.cluster_trust_bundle.empty();
      if (n != 1) {
        errs.push_back(forbidden(at(path + ".projected.sources", i), "may not specify more than 1 volume type per source"));
      }
      if (s.service_account_token && s.service_account_token->expiration_seconds < 600) {
        errs.push_back(invalid_int(at(path + ".projected.sources", i) + ".serviceAccountToken.expirationSeconds",
                                   s.service_account_token->expiration_seconds, "may not specify a duration less than 10 minutes"));
      }
    }
  }
  if (count(v.persistent_volume_claim.has_value(), "persistentVolumeClaim")) {
    if (v.persistent_volume_claim->claim_name.empty()) errs.push_back(required_value(path + ".persistentVolumeClaim.claimName"));
  }
  if (v.unsupported) count(true, v.unsupported->type);
  if (sources == 0) errs.push_back(required_value(path, "must specify a volume type"));
  return errs;
}

ErrorList validate_pod_security_context(const PodSecurityContext& s, const std::string& path) {
  ErrorList errs;
  if (s.run_as_user) {
    for (const auto& m : is_valid_user_id(*s.run_as_user)) errs.push_back(invalid_int(path + ".runAsUser", *s.run_as_user, m));
  }
  if (s.run_as_group) {
    for (const auto& m : is_valid_group_id(*s.run_as_group)) errs.push_back(invalid_int(path + ".runAsGroup", *s.run_as_group, m));
  }
  if (s.fs_group) {
    for (const auto& m : is_valid_group_id(*s.fs_group)) errs.push_back(invalid_int(path + ".fsGroup", *s.fs_group, m));
  }
  for (size_t i = 0; i < s.supplemental_groups.size(); ++i) {
    for (const auto& m : is_valid_group_id(s.supplemental_groups[i])) {
      errs.push_back(invalid_int(at(path + ".supplementalGroups", i), s.supplemental_groups[i], m));
    }
  }
  if (s.fs_group_change_policy && *s.fs_group_change_policy != "OnRootMismatch" && *s.fs_group_change_policy != "Always") {
    errs.push_back(not_supported(path + ".fsGroupChangePolicy", *s.fs_group_change_policy, {"OnRootMismatch", "Always"}));
  }
  std::set<std::string> sysctl_names;
  for (size_t i = 0; i < s.sysctls.size(); ++i) {
    const std::string& name = s.sysctls[i].name;
    const std::string idx = at(path + ".sysctls", i);
    if (name.empty()) {
      errs.push_back(required_value(idx + ".name"));
    } else if (name.size() > 253 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-./") != std::string::npos ||
               name.front() == '.' || name.back() == '.' || name.front() == '/' || name.back() == '/') {
      errs.push_back(invalid_string(idx + ".name", name,
                                    "sysctl name must have at most 253 characters and match the regex "
                                    "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$"));
    } else if (!sysctl_names.insert(name).second) {
      errs.push_back(duplicate_value(idx + ".name", name));
    }
  }
  return errs;
}

ErrorList validate_pod_spec(const PodSpec& s) {
  ErrorList errs;
  std::set<std::string> volume_names;
  for (size_t i = 0; i < s.volumes.size(); ++i) {
    const Volume& v = s.volumes[i];
    const std::string idx = at("spec.volumes", i);
    if (v.name.empty()) {
      errs.push_back(required_value(idx + ".name"));
    } else {
      auto msgs = is_dns1123_label(v.name);
      for (const auto& m : msgs) errs.push_back(invalid_string(idx + ".name", v.name, m));
      if (msgs.empty() && !volume_names.insert(v.name).second) errs.push_back(duplicate_value(idx + ".name", v.name));
    }
    append(errs, validate_volume_source(v, idx));
  }

  // Container names are unique across init and app containers.
  std::set<std::string> container_names;
  auto check_unique = [&](const Container& c, const std::string& path) {
    if (!c.name.empty() && !container_names.insert(c.name).second) errs.push_back(duplicate_value(path + ".name", c.name));
  };
  for (size_t i = 0; i < s.init_containers.size(); ++i) {
    const std::string idx = at("spec.initContainers", i);
    append(errs, validate_container(s.init_containers[i], idx, ContainerKind::kInit, volume_names, s));
    check_unique(s.init_containers[i], idx);
  }
  if (s.containers.empty()) errs.push_back(required_value("spec.containers"));
  for (size_t i = 0; i < s.containers.size(); ++i) {
    const std::string idx = at("spec.containers", i);
    append(errs, validate_container(s.containers[i], idx, ContainerKind::kApp, volume_names, s));
    check_unique(s.containers[i], idx);
  }
  // Host ports must not collide within the pod (checked per protocol/IP upstream).
  std::set<std::string> host_ports;
  for (const auto* list : {&s.init_containers, &s.containers}) {
    const char* list_path = list == &s.init_containers ? "spec.initContainers" : "spec.containers";
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& ports = (*list)[i].ports;
      for (size_t j = 0; j < ports.size(); ++j) {
        if (ports[j].host_port == 0) continue;
        std::string key = std::to_string(ports[j].host_port) + "/" + ports[j].protocol + "/" + ports[j].host_ip;
        if (!host_ports.insert(key).second) {
          errs.push_back(duplicate_value(at(at(std::string(list_path), i) + ".ports", j) + ".hostPort", key));
        }
      }
    }
  }

  if (s.restart_policy.empty()) {
    errs.push_back(required_value("spec.restartPolicy"));
  } else if (s.restart_policy != "Always" && s.restart_policy != "OnFailure" && s.restart_policy != "Never") {
    errs.push_back(not_supported("spec.restartPolicy", s.restart_policy, {"Always", "OnFailure", "Never"}));
  }
  if (s.dns_policy.empty()) {
    errs.push_back(required_value("spec.dnsPolicy"));
  } else if (s.dns_policy != "ClusterFirstWithHostNet" && s.dns_policy != "ClusterFirst" && s.dns_policy != "Default" &&
             s.dns_policy != "None") {
    errs.push_back(not_supported("spec.dnsPolicy", s.dns_policy, {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  if (s.dns_policy == "None" && (!s.dns_config || s.dns_config->nameservers.empty())) {
    errs.push_back(required_value("spec.dnsConfig.nameservers", "must provide at least one DNS nameserver when DNSPolicy is None"));
  }
  if (s.dns_config) {
    if (s.dns_config->nameservers.size() > 3) {
      errs.push_back(invalid_string("spec.dnsConfig.nameservers", "", "must not have more than 3 nameservers"));
    }
    for (size_t i = 0; i < s.dns_config->nameservers.size(); ++i) {
      for (const auto& m : is_valid_ip(s.dns_config->nameservers[i])) {
        errs.push_back(invalid_string(at("spec.dnsConfig.nameservers", i), s.dns_config->nameservers[i], m));
      }
    }
    for (size_t i = 0; i < s.dns_config->searches.size(); ++i) {
      std::string domain = s.dns_config->searches[i];
      if (!domain.empty() && domain.back() == '.') domain.pop_back();
      for (const auto& m : is_dns1123_subdomain(domain)) {
        errs.push_back(invalid_string(at("spec.dnsConfig.searches", i), s.dns_config->searches[i], m));
      }
    }
    for (size_t i = 0; i < s.dns_config->options.size(); ++i) {
      if (s.dns_config->options[i].name.empty()) errs.push_back(required_value(at("spec.dnsConfig.options", i), "Option.Name must not be empty"));
    }
  }
  if (s.termination_grace_period_seconds && *s.termination_grace_period_seconds < 0) {
    errs.push_back(invalid_int("spec.terminationGracePeriodSeconds", *s.termination_grace_period_seconds,
                               "must be greater than or equal to 0"));
  }
  if (s.active_deadline_seconds && (*s.active_deadline_seconds <= 0 || *s.active_deadline_seconds > 2147483647)) {
    errs.push_back(invalid_int("spec.activeDeadlineSeconds", *s.active_deadline_seconds,
                               "must be between 1 and 2147483647, inclusive"));
  }
  if (!s.hostname.empty()) {
    for (const auto& m : is_dns1123_label(s.hostname)) errs.push_back(invalid_string("spec.hostname", s.hostname, m));
  }
  if (!s.subdomain.empty()) {
    for (const auto& m : is_dns1123_label(s.subdomain)) errs.push_back(invalid_string("spec.subdomain", s.subdomain, m));
  }
  for (size_t i = 0; i < s.host_aliases.size(); ++i) {
    const HostAlias& a = s.host_aliases[i];
    for (const auto& m : is_valid_ip(a.ip)) errs.push_back(invalid_string(at("spec.hostAliases", i) + ".ip", a.ip, m));
    for (size_t j = 0; j < a.hostnames.size(); ++j) {
      for (const auto& m : is_dns1123_subdomain(a.hostnames[j])) {
        errs.push_back(invalid_string(at(at("spec.hostAliases", i) + ".hostnames", j), a.hostnames[j], m));
      }
    }
  }
  if (s.share_process_namespace.value_or(false) && s.host_pid) {
    errs.push_back(invalid_string("spec.shareProcessNamespace", "true", "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  if (s.security_context) append(errs, validate_pod_security_context(*s.security_context, "spec.securityContext"));
  if (s.os && s.os->name != "linux" && s.os->name != "windows") {
    errs.push_back(not_supported("spec.os.name", s.os->name, {"linux", "windows"}));
  }
  for (size_t i = 0; i < s.tolerations.size(); ++i) {
    const Toleration& t = s.tolerations[i];
    const std::string idx = at("spec.tolerations", i);
    if (!t.operator_.empty() && t.operator_ != "Equal" && t.operator_ != "Exists") {
      errs.push_back(not_supported(idx + ".operator", t.operator_, {"Equal", "Exists"}));
    }
    if (t.operator_ == "Exists" && !t.value.empty()) {
      errs.push_back(invalid_string(idx + ".operator", t.value, "value must be empty when `operator` is 'Exists'"));
    }
    if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
      errs.push_back(not_supported(idx + ".effect", t.effect, {"NoExecute", "NoSchedule", "PreferNoSchedule"}));
    }
  }
  append(errs, validate_labels(s.node_selector, "spec.nodeSelector"));
  append(errs, parse_required_node_affinity(s.affinity).errors);
  return errs;
}

}  // namespace

namespace detail {

ErrorList validate_labels(const StringMap& labels, const std::string& path) {
  ErrorList errs;
  for (const auto& [key, value] : labels) {
    for (const auto& m : is_qualified_name(key)) errs.push_back(invalid_string(path, key, m));
    for (const auto& m : is_valid_label_value(value)) errs.push_back(invalid_string(path, value, m));
  }
  return errs;
}

}  // namespace detail

ErrorList validate_object_meta(const ObjectMeta& meta, bool namespaced, bool name_is_dns1035) {
  ErrorList errs;
  if (meta.name.empty() && meta.generate_name.empty()) {
    errs.push_back(required_value("metadata.name", "name or generateName is required"));
  } else if (!meta.name.empty()) {
    auto msgs = name_is_dns1035 ? is_dns1035_label(meta.name) : is_dns1123_subdomain(meta.name);
    for (const auto& m : msgs) errs.push_back(invalid_string("metadata.name", meta.name, m));
  }
  if (namespaced) {
    if (meta.namespace_.empty()) {
      errs.push_back(required_value("metadata.namespace"));
    } else {
      for (const auto& m : is_dns1123_label(meta.namespace_)) errs.push_back(invalid_string("metadata.namespace", meta.namespace_, m));
    }
  }
  // The uid names the pod's state dir (util/pod_state_dir.h): a manifest's own must be a uid.
  if (!meta.uid.empty() && !valid_pod_uid(meta.uid)) {
    errs.push_back(invalid_string("metadata.uid", meta.uid, "must be 1-63 lower case alphanumeric characters or '-'"));
  }
  append(errs, validate_labels(meta.labels, "metadata.labels"));
  size_t annotation_bytes = 0;
  for (const auto& [key, value] : meta.annotations) {
    std::string lower = key;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& m : is_qualified_name(lower)) errs.push_back(invalid_string("metadata.annotations", key, m));
    annotation_bytes += key.size() + value.size();
  }
  if (annotation_bytes > 256 * 1024) {
    errs.push_back(too_long("metadata.annotations", "may not be more than 262144 bytes"));
  }
  return errs;
}

ErrorList validate_pod(const Pod& pod) {
  ErrorList errs = validate_object_meta(pod.metadata, true);
  append(errs, validate_pod_spec(pod.spec));
  return errs;
}

Status check_pod(const Pod& pod) {
  ErrorList errs = validate_pod(pod);
  if (errs.empty()) return ok_status();
  return invalid(one_line_summary("pod " + pod.metadata.namespace_ + "/" + pod.metadata.name, errs));
}

}  // namespace nodeagent::kube
