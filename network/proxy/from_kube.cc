// kube types -> model. kube/ has already applied the API server's defaults (protocol TCP,
// sessionAffinity None with a ClientIP timeout of 10800 s, traffic policies Cluster, namespace
// "default"); what is checked here is only what the proxy itself needs: allocated clusterIP and
// nodePorts (there is no API server to allocate them), IPv4 addresses, source range CIDRs.
#include "network/proxy/from_kube.h"

#include <set>

#include "kube/field_error.h"
#include "kube/validation.h"

namespace nodeagent::network::proxy {
namespace {

std::string ns_of(const kube::ObjectMeta& m) { return m.namespace_.empty() ? "default" : m.namespace_; }

Result<Protocol> parse_protocol(const std::string& s, const std::string& field) {
  if (s.empty() || s == "TCP") return Protocol::kTcp;
  if (s == "UDP") return Protocol::kUdp;
  if (s == "SCTP") return Protocol::kSctp;
  return invalid(field + ": unsupported value \"" + s + "\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
}

Result<uint16_t> parse_port(int64_t n, const std::string& field, int min = 1, int max = 65535) {
  if (n < min || n > max)
    return invalid(field + ": Invalid value: " + std::to_string(n) + ": must be between " + std::to_string(min) +
                   " and " + std::to_string(max) + ", inclusive");
  return static_cast<uint16_t>(n);
}

Result<uint32_t> parse_ip(const std::string& text, const std::string& field) {
  auto ip = iptables::parse_ipv4(text);
  if (!ip) return invalid(field + ": Invalid value: \"" + text + "\": must be a valid IPv4 address");
  return *ip;
}

Result<bool> policy_local(const std::string& value, const std::string& field) {
  if (value.empty() || value == "Cluster") return false;
  if (value == "Local") return true;
  return invalid(field + ": Unsupported value: \"" + value + "\"");
}

// The Service's ports; `out` already has name, type and selector.
Status convert_ports(const kube::Service& svc, uint32_t cluster_ip, ServiceInfo& out) {
  const kube::ServiceSpec& spec = svc.spec;
  std::vector<uint32_t> external_ips;
  for (size_t i = 0; i < spec.external_ips.size(); ++i) {
    NA_ASSIGN_OR_RETURN(auto ip, parse_ip(spec.external_ips[i], "spec.externalIPs[" + std::to_string(i) + "]"));
    external_ips.push_back(ip);
  }
  std::vector<uint32_t> lb_ips;
  if (out.type == ServiceType::kLoadBalancer) {
    const auto& ingress = svc.status.load_balancer_ingress;
    for (size_t i = 0; i < ingress.size(); ++i) {
      if (ingress[i].ip.empty()) continue;  // hostname-only ingress
      NA_ASSIGN_OR_RETURN(auto ip, parse_ip(ingress[i].ip, "status.loadBalancer.ingress[" + std::to_string(i) + "].ip"));
      lb_ips.push_back(ip);
    }
  }
  std::vector<iptables::Cidr> source_ranges;
  for (size_t i = 0; i < spec.load_balancer_source_ranges.size(); ++i) {
    const std::string& text = spec.load_balancer_source_ranges[i];
    auto cidr = text.find('/') == std::string::npos ? std::nullopt : iptables::parse_cidr(text);
    if (!cidr)
      return invalid("spec.loadBalancerSourceRanges[" + std::to_string(i) + "]: Invalid value: \"" + text +
                     "\": must be an IPv4 CIDR, e.g. 203.0.113.0/24");
    if (cidr->prefix < 32) cidr->addr &= cidr->prefix == 0 ? 0 : ~0u << (32 - cidr->prefix);  // as kube-proxy: the network
    source_ranges.push_back(*cidr);
  }

  const std::string affinity = spec.session_affinity.empty() ? "None" : spec.session_affinity;
  if (affinity != "None" && affinity != "ClientIP")
    return invalid("spec.sessionAffinity: Unsupported value: \"" + affinity + "\"");
  uint32_t timeout = 10800;
  if (spec.session_affinity_config && spec.session_affinity_config->client_ip) {
    const int32_t t = spec.session_affinity_config->client_ip->timeout_seconds;
    if (t < 1 || t > 86400) return invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds: must be between 1 and 86400");
    timeout = static_cast<uint32_t>(t);
  }
  NA_ASSIGN_OR_RETURN(bool etp, policy_local(spec.external_traffic_policy, "spec.externalTrafficPolicy"));
  NA_ASSIGN_OR_RETURN(bool itp, policy_local(spec.internal_traffic_policy, "spec.internalTrafficPolicy"));
  if (etp && out.type == ServiceType::kClusterIP)
    return invalid("spec.externalTrafficPolicy: may only be set on NodePort and LoadBalancer Services");

  if (spec.ports.empty()) return invalid("spec.ports: Required value");
  std::set<std::string> names;
  std::set<std::pair<uint16_t, Protocol>> port_protos;
  for (size_t i = 0; i < spec.ports.size(); ++i) {
    const std::string f = "spec.ports[" + std::to_string(i) + "]";
    const kube::ServicePort& p = spec.ports[i];
    ServicePortInfo info;
    if (spec.ports.size() > 1 && p.name.empty()) return invalid(f + ".name: Required value (Service has several ports)");
    if (!names.insert(p.name).second) return invalid(f + ".name: Duplicate value: \"" + p.name + "\"");
    info.name = ServicePortName{out.name.ns, out.name.name, p.name};
    NA_ASSIGN_OR_RETURN(info.protocol, parse_protocol(p.protocol, f + ".protocol"));
    NA_ASSIGN_OR_RETURN(info.port, parse_port(p.port, f + ".port"));
    if (!port_protos.insert({info.port, info.protocol}).second)
      return invalid(f + ": Duplicate value: port " + std::to_string(info.port) + "/" + protocol_name(info.protocol));
    if (!p.target_port.is_string) {
      NA_ASSIGN_OR_RETURN(auto target, parse_port(p.target_port.int_value, f + ".targetPort"));
      info.target_port = std::to_string(target);
    } else if (!p.target_port.str_value.empty()) {
      info.target_port = p.target_port.str_value;
    } else {
      return invalid(f + ".targetPort: must be a port number or a port name");
    }
    if (p.node_port != 0) {
      NA_ASSIGN_OR_RETURN(info.node_port, parse_port(p.node_port, f + ".nodePort", 30000, 32767));
      if (out.type == ServiceType::kClusterIP)
        return invalid(f + ".nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    } else if (out.type != ServiceType::kClusterIP) {
      return invalid(f + ".nodePort: Required value (no API server allocates one here)");
    }
    info.cluster_ip = cluster_ip;
    info.external_ips = external_ips;
    info.load_balancer_ips = lb_ips;
    info.load_balancer_source_ranges = source_ranges;
    info.external_policy_local = etp;
    // kube-proxy serves it only for LoadBalancer Services with externalTrafficPolicy: Local.
    if (etp && out.type == ServiceType::kLoadBalancer && spec.health_check_node_port > 0 && spec.health_check_node_port < 65536)
      info.health_check_node_port = static_cast<uint16_t>(spec.health_check_node_port);
    info.internal_policy_local = itp;
    info.session_affinity_client_ip = affinity == "ClientIP";
    info.affinity_timeout_seconds = timeout;
    out.ports.push_back(std::move(info));
  }
  return ok_status();
}

}  // namespace

Result<ServiceInfo> service_from_kube(const kube::Service& svc) {
  ServiceInfo out;
  out.name = ObjectName{ns_of(svc.metadata), svc.metadata.name};
  if (out.name.name.empty()) return invalid("service: metadata.name: Required value");
  NA_RETURN_IF_ERROR(kube::check_service(svc));
  const std::string ctx = "service " + out.name.to_string();

  const std::string& type = svc.spec.type;
  if (type.empty() || type == "ClusterIP") out.type = ServiceType::kClusterIP;
  else if (type == "NodePort") out.type = ServiceType::kNodePort;
  else if (type == "LoadBalancer") out.type = ServiceType::kLoadBalancer;
  else if (type == "ExternalName") return out;
  else return invalid("spec.type: Unsupported value: \"" + type + "\"").wrap(ctx);

  const std::string& cluster_ip = svc.spec.cluster_ip;
  if (cluster_ip == "None") return out;  // headless: DNS only
  if (cluster_ip.empty()) return invalid("spec.clusterIP: Required value (no API server allocates one here)").wrap(ctx);
  auto cip = parse_ip(cluster_ip, "spec.clusterIP");
  if (!cip.ok()) return cip.error().wrap(ctx);
  out.selector = svc.spec.selector;
  if (Status st = convert_ports(svc, *cip, out); !st.ok()) return st.error().wrap(ctx);
  return out;
}

Result<EndpointSliceInfo> endpoint_slice_from_kube(const kube::EndpointSlice& slice) {
  EndpointSliceInfo out;
  out.name = ObjectName{ns_of(slice.metadata), slice.metadata.name};
  if (out.name.name.empty()) return invalid("endpointslice: metadata.name: Required value");
  const std::string ctx = "endpointslice " + out.name.to_string();
  if (auto errs = kube::validate_endpoint_slice(slice); !errs.empty())
    return invalid(kube::one_line_summary(ctx, errs));
  auto fail = [&](const Error& e) { return e.wrap(ctx); };
  if (auto it = slice.metadata.labels.find("kubernetes.io/service-name"); it != slice.metadata.labels.end())
    out.service_name = it->second;
  if (out.service_name.empty()) return fail(invalid("metadata.labels[kubernetes.io/service-name]: Required value"));
  if (slice.address_type != "IPv4")
    return fail(invalid("addressType: Unsupported value: \"" + slice.address_type + "\": supported: \"IPv4\""));

  std::set<std::string> names;
  for (size_t i = 0; i < slice.ports.size(); ++i) {
    const std::string f = "ports[" + std::to_string(i) + "]";
    const kube::EndpointPort& p = slice.ports[i];
    EndpointSliceInfo::Port port;
    port.name = p.name.value_or("");
    if (!names.insert(port.name).second) return fail(invalid(f + ".name: Duplicate value: \"" + port.name + "\""));
    auto proto = parse_protocol(p.protocol.value_or(""), f + ".protocol");
    if (!proto.ok()) return fail(proto.error());
    port.protocol = *proto;
    if (!p.port) return fail(invalid(f + ".port: Required value"));
    auto number = parse_port(*p.port, f + ".port");
    if (!number.ok()) return fail(number.error());
    port.port = *number;
    out.ports.push_back(std::move(port));
  }
  for (size_t i = 0; i < slice.endpoints.size(); ++i) {
    const std::string f = "endpoints[" + std::to_string(i) + "]";
    const kube::Endpoint& e = slice.endpoints[i];
    EndpointSliceInfo::Endpoint ep;
    if (e.addresses.empty()) return fail(invalid(f + ".addresses: Required value"));
    for (size_t j = 0; j < e.addresses.size(); ++j) {
      auto ip = parse_ip(e.addresses[j], f + ".addresses[" + std::to_string(j) + "]");
      if (!ip.ok()) return fail(ip.error());
      ep.addresses.push_back(*ip);
    }
    ep.ready = e.conditions.ready.value_or(true);
    ep.serving = e.conditions.serving.value_or(ep.ready);
    ep.terminating = e.conditions.terminating.value_or(false);
    ep.node_name = e.node_name.value_or("");
    out.endpoints.push_back(std::move(ep));
  }
  return out;
}

PodForEndpoints pod_from_kube(const kube::Pod& pod) {
  PodForEndpoints p;
  p.ns = pod.metadata.namespace_;
  p.name = pod.metadata.name;
  p.labels = pod.metadata.labels;
  if (auto ip = iptables::parse_ipv4(pod.status.pod_ip)) p.ip = *ip;
  for (const auto& c : pod.status.conditions)
    if (c.type == "Ready") {
      p.ready = c.status == "True";
      break;
    }
  p.terminating = pod.metadata.deletion_timestamp.has_value();
  for (const auto& c : pod.spec.containers)
    for (const auto& port : c.ports)
      if (!port.name.empty()) {
        auto proto = port.protocol == "UDP" ? Protocol::kUdp : port.protocol == "SCTP" ? Protocol::kSctp : Protocol::kTcp;
        p.named_ports[port.name] = {static_cast<uint16_t>(port.container_port), proto};
      }
  return p;
}

}  // namespace nodeagent::network::proxy
