// The API server's defaulting functions, field by field (see defaults.h).
#include "kube/defaults.h"

namespace nodeagent::kube {
namespace {

void default_http_get(HTTPGetAction& a) {
  if (a.path.empty()) a.path = "/";
  if (a.scheme.empty()) a.scheme = "HTTP";
}

void default_probe(std::optional<Probe>& probe) {
  if (!probe) return;
  Probe& p = *probe;
  if (p.timeout_seconds == 0) p.timeout_seconds = 1;
  if (p.period_seconds == 0) p.period_seconds = 10;
  if (p.success_threshold == 0) p.success_threshold = 1;
  if (p.failure_threshold == 0) p.failure_threshold = 3;
  if (p.handler.http_get) default_http_get(*p.handler.http_get);
  if (p.handler.grpc && !p.handler.grpc->service) p.handler.grpc->service = "";
}

void default_lifecycle_handler(std::optional<LifecycleHandler>& handler) {
  if (handler && handler->http_get) default_http_get(*handler->http_get);
}

void default_field_selector(std::optional<ObjectFieldSelector>& selector) {
  if (selector && selector->api_version.empty()) selector->api_version = "v1";
}

void default_container(Container& c, bool host_network) {
  if (c.image_pull_policy.empty()) c.image_pull_policy = default_image_pull_policy(c.image);
  if (c.termination_message_path.empty()) c.termination_message_path = "/dev/termination-log";
  if (c.termination_message_policy.empty()) c.termination_message_policy = "File";
  for (auto& port : c.ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
    if (host_network && port.host_port == 0) port.host_port = port.container_port;
  }
  // Requests default to limits for every resource that has only a limit.
  for (const auto& [name, limit] : c.resources.limits) c.resources.requests.try_emplace(name, limit);
  for (auto& env : c.env) {
    if (env.value_from) default_field_selector(env.value_from->field_ref);
  }
  default_probe(c.liveness_probe);
  default_probe(c.readiness_probe);
  default_probe(c.startup_probe);
  if (c.lifecycle) {
    default_lifecycle_handler(c.lifecycle->post_start);
    default_lifecycle_handler(c.lifecycle->pre_stop);
  }
}

void default_downward_items(std::vector<DownwardAPIVolumeFile>& items) {
  for (auto& item : items) default_field_selector(item.field_ref);
}

void default_volume(Volume& v) {
  const bool has_source = v.empty_dir || v.host_path || v.config_map || v.secret || v.downward_api ||
                          v.projected || v.persistent_volume_claim || v.unsupported;
  if (!has_source) v.empty_dir = EmptyDirVolumeSource{};
  if (v.downward_api) default_downward_items(v.downward_api->items);
  if (v.projected) {
    for (auto& source : v.projected->sources) {
      if (source.downward_api) default_downward_items(source.downward_api->items);
      if (source.service_account_token && source.service_account_token->expiration_seconds == 0) {
        source.service_account_token->expiration_seconds = 3600;
      }
    }
  }
}

}  // namespace

std::string default_image_pull_policy(std::string_view image) {
  // Tag = text after the last ':' of the last path component, before any '@digest'.
  std::string_view ref = image;
  bool has_digest = false;
  if (auto at = ref.find('@'); at != std::string_view::npos) {
    has_digest = true;
    ref = ref.substr(0, at);
  }
  std::string_view last = ref;
  if (auto slash = ref.rfind('/'); slash != std::string_view::npos) last = ref.substr(slash + 1);
  std::string_view tag;
  if (auto colon = last.rfind(':'); colon != std::string_view::npos) tag = last.substr(colon + 1);
  if (image.empty()) return "IfNotPresent";  // unparsable reference: upstream falls to IfNotPresent
  if (tag == "latest" || (tag.empty() && !has_digest)) return "Always";
  return "IfNotPresent";
}

Pod with_defaults(Pod pod) {
  if (pod.metadata.namespace_.empty()) pod.metadata.namespace_ = "default";
  PodSpec& spec = pod.spec;
  if (spec.dns_policy.empty()) spec.dns_policy = "ClusterFirst";
  if (spec.restart_policy.empty()) spec.restart_policy = "Always";
  if (!spec.security_context) spec.security_context = PodSecurityContext{};
  if (!spec.termination_grace_period_seconds) spec.termination_grace_period_seconds = 30;
  if (spec.scheduler_name.empty()) spec.scheduler_name = "default-scheduler";
  if (!spec.enable_service_links) spec.enable_service_links = true;
  // serviceAccount is the deprecated spelling of serviceAccountName; the API keeps both equal.
  if (spec.service_account_name.empty()) spec.service_account_name = spec.service_account;
  if (spec.service_account.empty()) spec.service_account = spec.service_account_name;
  for (auto& c : spec.init_containers) default_container(c, spec.host_network);
  for (auto& c : spec.containers) default_container(c, spec.host_network);
  for (auto& v : spec.volumes) default_volume(v);
  return pod;
}

Service with_defaults(Service service) {
  if (service.metadata.namespace_.empty()) service.metadata.namespace_ = "default";
  ServiceSpec& spec = service.spec;
  if (spec.session_affinity.empty()) spec.session_affinity = "None";
  if (spec.session_affinity == "None") spec.session_affinity_config.reset();
  if (spec.session_affinity == "ClientIP") {
    if (!spec.session_affinity_config) spec.session_affinity_config = SessionAffinityConfig{};
    if (!spec.session_affinity_config->client_ip) spec.session_affinity_config->client_ip = ClientIPConfig{};
    if (spec.session_affinity_config->client_ip->timeout_seconds == 0) {
      spec.session_affinity_config->client_ip->timeout_seconds = 10800;
    }
  }
  if (spec.type.empty()) spec.type = "ClusterIP";
  for (auto& port : spec.ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
    if (port.target_port == IntOrString::from_int(0) || port.target_port == IntOrString::from_string("")) {
      port.target_port = IntOrString::from_int(port.port);
    }
  }
  const bool externally_accessible = spec.type == "NodePort" || spec.type == "LoadBalancer" ||
                                     (spec.type == "ClusterIP" && !spec.external_ips.empty());
  if (externally_accessible && spec.external_traffic_policy.empty()) spec.external_traffic_policy = "Cluster";
  if (spec.internal_traffic_policy.empty() && spec.type != "ExternalName") spec.internal_traffic_policy = "Cluster";
  if (spec.type == "LoadBalancer" && !spec.allocate_load_balancer_node_ports) {
    spec.allocate_load_balancer_node_ports = true;
  }
  return service;
}

EndpointSlice with_defaults(EndpointSlice slice) {
  if (slice.metadata.namespace_.empty()) slice.metadata.namespace_ = "default";
  for (auto& port : slice.ports) {
    if (!port.name) port.name = "";
    if (!port.protocol) port.protocol = "TCP";
  }
  return slice;
}

Event with_defaults(Event event) {
  if (event.metadata.namespace_.empty()) event.metadata.namespace_ = "default";
  return event;
}

ConfigMap with_defaults(ConfigMap config_map) {
  if (config_map.metadata.namespace_.empty()) config_map.metadata.namespace_ = "default";
  return config_map;
}

Secret with_defaults(Secret secret) {
  if (secret.metadata.namespace_.empty()) secret.metadata.namespace_ = "default";
  if (secret.type.empty()) secret.type = "Opaque";
  // stringData is write-only: the API server merges it into data (stringData wins).
  for (auto& [k, v] : secret.string_data) secret.data[k] = v;
  secret.string_data.clear();
  return secret;
}

PersistentVolume with_defaults(PersistentVolume volume) {
  // Cluster-scoped: no namespace.
  if (volume.spec.volume_mode.empty()) volume.spec.volume_mode = "Filesystem";
  if (volume.spec.persistent_volume_reclaim_policy.empty()) volume.spec.persistent_volume_reclaim_policy = "Retain";
  if (volume.status.phase.empty()) volume.status.phase = "Pending";
  return volume;
}

PersistentVolumeClaim with_defaults(PersistentVolumeClaim claim) {
  if (claim.metadata.namespace_.empty()) claim.metadata.namespace_ = "default";
  if (claim.spec.volume_mode.empty()) claim.spec.volume_mode = "Filesystem";
  if (claim.status.phase.empty()) claim.status.phase = "Pending";
  return claim;
}

}  // namespace nodeagent::kube
