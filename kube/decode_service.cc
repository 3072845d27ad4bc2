// Decoders for Service spec/status (EndpointSlice and Event are flat and live in decode.cc).
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {
namespace {

ServicePort decode_service_port(ObjectReader& r) {
  ServicePort p;
  p.name = r.str("name");
  p.protocol = r.str("protocol");
  p.app_protocol = r.opt_str("appProtocol");
  p.port = r.i32("port");
  p.target_port = r.int_or_string("targetPort");
  p.node_port = r.i32("nodePort");
  return p;
}

LoadBalancerIngress decode_ingress(ObjectReader& r) {
  LoadBalancerIngress i;
  i.ip = r.str("ip");
  i.hostname = r.str("hostname");
  i.ip_mode = r.opt_str("ipMode");
  i.ports = r.list("ports", [](ObjectReader& p) {
    return PortStatus{p.i32("port"), p.str("protocol"), p.opt_str("error")};
  });
  return i;
}

}  // namespace

ServiceSpec decode_service_spec(ObjectReader& r) {
  ServiceSpec s;
  s.ports = r.list("ports", decode_service_port);
  s.selector = r.string_map("selector");
  s.cluster_ip = r.str("clusterIP");
  s.cluster_ips = r.strings("clusterIPs");
  s.type = r.str("type");
  s.external_ips = r.strings("externalIPs");
  s.session_affinity = r.str("sessionAffinity");
  s.load_balancer_ip = r.str("loadBalancerIP");
  s.load_balancer_source_ranges = r.strings("loadBalancerSourceRanges");
  s.external_name = r.str("externalName");
  s.external_traffic_policy = r.str("externalTrafficPolicy");
  s.health_check_node_port = r.i32("healthCheckNodePort");
  s.publish_not_ready_addresses = r.boolean("publishNotReadyAddresses");
  s.session_affinity_config = r.object("sessionAffinityConfig", [](ObjectReader& c) {
    SessionAffinityConfig config;
    config.client_ip = c.object("clientIP", [](ObjectReader& ip) {
      return ClientIPConfig{ip.opt_i32("timeoutSeconds").value_or(0)};
    });
    return config;
  });
  s.ip_families = r.strings("ipFamilies");
  s.ip_family_policy = r.opt_str("ipFamilyPolicy");
  s.allocate_load_balancer_node_ports = r.opt_bool("allocateLoadBalancerNodePorts");
  s.load_balancer_class = r.opt_str("loadBalancerClass");
  s.internal_traffic_policy = r.str("internalTrafficPolicy");
  s.traffic_distribution = r.opt_str("trafficDistribution");
  return s;
}

ServiceStatus decode_service_status(ObjectReader& r) {
  ServiceStatus s;
  if (auto lb = r.object("loadBalancer", [](ObjectReader& l) { return l.list("ingress", decode_ingress); })) {
    s.load_balancer_ingress = *lb;
  }
  s.conditions = r.raw("conditions");
  return s;
}

}  // namespace nodeagent::kube::detail
