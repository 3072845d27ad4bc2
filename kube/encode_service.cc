// Encoders for Service, EndpointSlice and Event.
#include "kube/encode.h"
#include "kube/encode_parts.h"

namespace nodeagent::kube {

using nlohmann::json;
using namespace detail;

json encode(const Service& svc) {
  const ServiceSpec& s = svc.spec;
  json spec = json::object();
  if (!s.ports.empty()) {
    json ports = json::array();
    for (const auto& p : s.ports) {
      json x = json::object();
      put(x, "name", p.name);
      put(x, "protocol", p.protocol);
      put(x, "appProtocol", p.app_protocol);
      x["port"] = p.port;
      x["targetPort"] = encode_int_or_string(p.target_port);
      put(x, "nodePort", p.node_port);
      ports.push_back(std::move(x));
    }
    spec["ports"] = std::move(ports);
  }
  put(spec, "selector", s.selector);
  put(spec, "clusterIP", s.cluster_ip);
  put(spec, "clusterIPs", s.cluster_ips);
  put(spec, "type", s.type);
  put(spec, "externalIPs", s.external_ips);
  put(spec, "sessionAffinity", s.session_affinity);
  put(spec, "loadBalancerIP", s.load_balancer_ip);
  put(spec, "loadBalancerSourceRanges", s.load_balancer_source_ranges);
  put(spec, "externalName", s.external_name);
  put(spec, "externalTrafficPolicy", s.external_traffic_policy);
  put(spec, "healthCheckNodePort", s.health_check_node_port);
  put(spec, "publishNotReadyAddresses", s.publish_not_ready_addresses);
  if (s.session_affinity_config) {
    json config = json::object();
    if (s.session_affinity_config->client_ip) {
      config["clientIP"] = {{"timeoutSeconds", s.session_affinity_config->client_ip->timeout_seconds}};
    }
    spec["sessionAffinityConfig"] = std::move(config);
  }
  put(spec, "ipFamilies", s.ip_families);
  put(spec, "ipFamilyPolicy", s.ip_family_policy);
  put(spec, "allocateLoadBalancerNodePorts", s.allocate_load_balancer_node_ports);
  put(spec, "loadBalancerClass", s.load_balancer_class);
  put(spec, "internalTrafficPolicy", s.internal_traffic_policy);
  put(spec, "trafficDistribution", s.traffic_distribution);

  json lb = json::object();
  if (!svc.status.load_balancer_ingress.empty()) {
    json ingress = json::array();
    for (const auto& i : svc.status.load_balancer_ingress) {
      json x = json::object();
      put(x, "ip", i.ip);
      put(x, "hostname", i.hostname);
      put(x, "ipMode", i.ip_mode);
      if (!i.ports.empty()) {
        x["ports"] = json::array();
        for (const auto& p : i.ports) {
          json port = {{"port", p.port}, {"protocol", p.protocol}};
          put(port, "error", p.error);
          x["ports"].push_back(std::move(port));
        }
      }
      ingress.push_back(std::move(x));
    }
    lb["ingress"] = std::move(ingress);
  }
  json status = {{"loadBalancer", std::move(lb)}};
  put_raw(status, "conditions", svc.status.conditions);
  return {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", encode(svc.metadata)},
          {"spec", std::move(spec)}, {"status", std::move(status)}};
}

json encode(const EndpointSlice& slice) {
  json endpoints = nullptr;  // Go nil slice, no omitempty
  if (!slice.endpoints.empty()) {
    endpoints = json::array();
    for (const auto& e : slice.endpoints) {
      json conditions = json::object();
      put(conditions, "ready", e.conditions.ready);
      put(conditions, "serving", e.conditions.serving);
      put(conditions, "terminating", e.conditions.terminating);
      json x = {{"addresses", e.addresses}, {"conditions", std::move(conditions)}};
      put(x, "hostname", e.hostname);
      if (e.target_ref) x["targetRef"] = encode_object_reference(*e.target_ref);
      put(x, "nodeName", e.node_name);
      put(x, "zone", e.zone);
      put_raw(x, "hints", e.hints);
      endpoints.push_back(std::move(x));
    }
  }
  json ports = nullptr;
  if (!slice.ports.empty()) {
    ports = json::array();
    for (const auto& p : slice.ports) {
      json x = json::object();
      put(x, "name", p.name);
      put(x, "protocol", p.protocol);
      put(x, "port", p.port);
      put(x, "appProtocol", p.app_protocol);
      ports.push_back(std::move(x));
    }
  }
  return {{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"}, {"metadata", encode(slice.metadata)},
          {"addressType", slice.address_type}, {"endpoints", std::move(endpoints)}, {"ports", std::move(ports)}};
}

json encode(const Event& e) {
  json source = json::object();
  put(source, "component", e.source.component);
  put(source, "host", e.source.host);
  json o = {{"apiVersion", "v1"},
            {"kind", "Event"},
            {"metadata", encode(e.metadata)},
            {"involvedObject", encode_object_reference(e.involved_object)},
            {"source", std::move(source)},
            {"reportingComponent", e.reporting_component},
            {"reportingInstance", e.reporting_instance}};
  put(o, "reason", e.reason);
  put(o, "message", e.message);
  put_time(o, "firstTimestamp", e.first_timestamp);
  put_time(o, "lastTimestamp", e.last_timestamp);
  put(o, "count", e.count);
  put(o, "type", e.type);
  o["eventTime"] = e.event_time ? json(format_micro_time(*e.event_time)) : json(nullptr);
  put(o, "action", e.action);
  return o;
}

}  // namespace nodeagent::kube
