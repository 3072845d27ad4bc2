// Service and EndpointSlice validation (ValidateService, ValidateEndpointSlice upstream), limited
// to what the proxy relies on: names, ports, types, policies, IPs, addresses.
#include "kube/names.h"
#include "kube/validation.h"
#include "kube/validation_parts.h"

namespace nodeagent::kube {

using namespace detail;

namespace {

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool one_of(const std::string& v, std::initializer_list<const char*> values) {
  for (const char* x : values) if (v == x) return true;
  return false;
}

}  // namespace

ErrorList validate_service(const Service& svc) {
  ErrorList errs = validate_object_meta(svc.metadata, true, /*name_is_dns1035=*/true);
  const ServiceSpec& s = svc.spec;
  const bool headless = s.cluster_ip == "None";
  if (!one_of(s.type, {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"})) {
    errs.push_back(not_supported("spec.type", s.type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  if (s.type == "ExternalName") {
    if (s.external_name.empty()) {
      errs.push_back(required_value("spec.externalName"));
    } else {
      for (const auto& m : is_dns1123_subdomain(s.external_name)) errs.push_back(invalid_string("spec.externalName", s.external_name, m));
    }
  } else if (s.ports.empty() && !headless) {
    errs.push_back(required_value("spec.ports"));
  }
  std::set<std::string> port_names;
  std::set<std::string> port_keys;
  for (size_t i = 0; i < s.ports.size(); ++i) {
    const ServicePort& p = s.ports[i];
    const std::string idx = at("spec.ports", i);
    if (s.ports.size() > 1 && p.name.empty()) errs.push_back(required_value(idx + ".name"));
    if (!p.name.empty()) {
      auto msgs = is_dns1123_label(p.name);
      for (const auto& m : msgs) errs.push_back(invalid_string(idx + ".name", p.name, m));
      if (msgs.empty() && !port_names.insert(p.name).second) errs.push_back(duplicate_value(idx + ".name", p.name));
    }
    for (const auto& m : is_valid_port_num(p.port)) errs.push_back(invalid_int(idx + ".port", p.port, m));
    if (p.protocol.empty()) {
      errs.push_back(required_value(idx + ".protocol"));
    } else if (!one_of(p.protocol, {"TCP", "UDP", "SCTP"})) {
      errs.push_back(not_supported(idx + ".protocol", p.protocol, {"SCTP", "TCP", "UDP"}));
    }
    append(errs, validate_port_num_or_name(p.target_port, idx + ".targetPort"));
    if (p.node_port != 0) {
      if (s.type == "ClusterIP") {
        errs.push_back(forbidden(idx + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
      }
      for (const auto& m : is_valid_port_num(p.node_port)) errs.push_back(invalid_int(idx + ".nodePort", p.node_port, m));
    }
    const std::string key = std::to_string(p.port) + "/" + p.protocol;
    if (!port_keys.insert(key).second) errs.push_back(duplicate_value(idx, key));
  }
  if (!s.cluster_ip.empty() && !headless) {
    for (const auto& m : is_valid_ip(s.cluster_ip)) errs.push_back(invalid_string("spec.clusterIPs[0]", s.cluster_ip, m));
  }
  for (size_t i = 0; i < s.external_ips.size(); ++i) {
    for (const auto& m : is_valid_ip(s.external_ips[i])) errs.push_back(invalid_string(at("spec.externalIPs", i), s.external_ips[i], m));
  }
  if (!one_of(s.session_affinity, {"None", "ClientIP"})) {
    errs.push_back(not_supported("spec.sessionAffinity", s.session_affinity, {"ClientIP", "None"}));
  }
  if (s.session_affinity == "ClientIP" && s.session_affinity_config && s.session_affinity_config->client_ip) {
    int32_t t = s.session_affinity_config->client_ip->timeout_seconds;
    if (t <= 0 || t > 86400) {
      errs.push_back(invalid_int("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
                                 "must be greater than 0 and less than 86400"));
    }
  }
  if (!s.external_traffic_policy.empty() && !one_of(s.external_traffic_policy, {"Cluster", "Local"})) {
    errs.push_back(not_supported("spec.externalTrafficPolicy", s.external_traffic_policy, {"Cluster", "Local"}));
  }
  if (!s.internal_traffic_policy.empty() && !one_of(s.internal_traffic_policy, {"Cluster", "Local"})) {
    errs.push_back(not_supported("spec.internalTrafficPolicy", s.internal_traffic_policy, {"Cluster", "Local"}));
  }
  if (!s.load_balancer_ip.empty()) {
    for (const auto& m : is_valid_ip(s.load_balancer_ip)) errs.push_back(invalid_string("spec.loadBalancerIP", s.load_balancer_ip, m));
  }
  append(errs, validate_labels(s.selector, "spec.selector"));
  return errs;
}

Status check_service(const Service& svc) {
  ErrorList errs = validate_service(svc);
  if (errs.empty()) return ok_status();
  return invalid(one_line_summary("service " + svc.metadata.namespace_ + "/" + svc.metadata.name, errs));
}

ErrorList validate_endpoint_slice(const EndpointSlice& slice) {
  ErrorList errs = validate_object_meta(slice.metadata, true);
  if (!one_of(slice.address_type, {"IPv4", "IPv6", "FQDN"})) {
    errs.push_back(not_supported("addressType", slice.address_type, {"FQDN", "IPv4", "IPv6"}));
  }
  for (size_t i = 0; i < slice.endpoints.size(); ++i) {
    const Endpoint& e = slice.endpoints[i];
    const std::string idx = at("endpoints", i);
    if (e.addresses.empty() || e.addresses.size() > 100) {
      errs.push_back(invalid_int(idx + ".addresses", static_cast<int64_t>(e.addresses.size()), "must contain at least 1 and no more than 100 addresses"));
    }
    for (size_t j = 0; j < e.addresses.size(); ++j) {
      const std::string& a = e.addresses[j];
      const std::string apath = at(idx + ".addresses", j);
      if (slice.address_type == "IPv4" && a.find(':') != std::string::npos) {
        errs.push_back(invalid_string(apath, a, "must be a valid IPv4 address"));
      } else if (slice.address_type == "IPv6" && a.find(':') == std::string::npos) {
        errs.push_back(invalid_string(apath, a, "must be a valid IPv6 address"));
      } else if (slice.address_type == "FQDN") {
        for (const auto& m : is_dns1123_subdomain(a)) errs.push_back(invalid_string(apath, a, m));
      } else {
        for (const auto& m : is_valid_ip(a)) errs.push_back(invalid_string(apath, a, m));
      }
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < slice.ports.size(); ++i) {
    const EndpointPort& p = slice.ports[i];
    const std::string idx = at("ports", i);
    const std::string name = p.name.value_or("");
    if (!name.empty()) {
      for (const auto& m : is_dns1123_label(name)) errs.push_back(invalid_string(idx + ".name", name, m));
    }
    if (!names.insert(name).second) errs.push_back(duplicate_value(idx + ".name", name));
    if (p.port) {
      for (const auto& m : is_valid_port_num(*p.port)) errs.push_back(invalid_int(idx + ".port", *p.port, m));
    }
    if (p.protocol && !one_of(*p.protocol, {"TCP", "UDP", "SCTP"})) {
      errs.push_back(not_supported(idx + ".protocol", *p.protocol, {"SCTP", "TCP", "UDP"}));
    }
  }
  return errs;
}

}  // namespace nodeagent::kube
