// JSON -> model. Defaults follow the API server's: protocol TCP, sessionAffinity None with a
// ClientIP timeout of 10800 s, traffic policies Cluster, namespace "default".
#include "network/proxy/k8s_convert.h"

#include <set>

namespace nodeagent::proxy {
namespace {

using nlohmann::json;

std::string str(const json& obj, const char* key, const std::string& def = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return def;
  return it->is_string() ? it->get<std::string>() : def;
}

const json& child(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

Result<Protocol> parse_protocol(const json& v, const std::string& field) {
  if (v.is_null()) return Protocol::kTcp;
  if (!v.is_string()) return invalid(field + ": must be a string");
  const auto s = v.get<std::string>();
  if (s == "TCP") return Protocol::kTcp;
  if (s == "UDP") return Protocol::kUdp;
  if (s == "SCTP") return Protocol::kSctp;
  return invalid(field + ": unsupported value \"" + s + "\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
}

Result<uint16_t> parse_port(const json& v, const std::string& field, bool required, int min = 1, int max = 65535) {
  if (v.is_null()) {
    if (required) return invalid(field + ": Required value");
    return uint16_t{0};
  }
  if (!v.is_number_integer()) return invalid(field + ": must be an integer");
  const auto n = v.get<long long>();
  if (n < min || n > max)
    return invalid(field + ": Invalid value: " + std::to_string(n) + ": must be between " + std::to_string(min) +
                   " and " + std::to_string(max) + ", inclusive");
  return static_cast<uint16_t>(n);
}

Result<uint32_t> parse_ip(const json& v, const std::string& field) {
  if (!v.is_string()) return invalid(field + ": must be an IPv4 address string");
  auto ip = iptables::parse_ipv4(v.get<std::string>());
  if (!ip) return invalid(field + ": Invalid value: \"" + v.get<std::string>() + "\": must be a valid IPv4 address");
  return *ip;
}

}  // namespace

Result<ServiceInfo> service_from_json(const json& svc) {
  if (!svc.is_object()) return invalid("service: not an object");
  const json& meta = child(svc, "metadata");
  ServiceInfo out;
  out.name = ObjectName{str(meta, "namespace", "default"), str(meta, "name")};
  if (out.name.name.empty()) return invalid("service: metadata.name: Required value");
  const std::string ctx = "service " + out.name.to_string();
  auto fail = [&](const Error& e) { return e.wrap(ctx); };

  const json& spec = child(svc, "spec");
  const std::string type = str(spec, "type", "ClusterIP");
  if (type == "ClusterIP") out.type = ServiceType::kClusterIP;
  else if (type == "NodePort") out.type = ServiceType::kNodePort;
  else if (type == "LoadBalancer") out.type = ServiceType::kLoadBalancer;
  else if (type == "ExternalName") return out;
  else return fail(invalid("spec.type: Unsupported value: \"" + type + "\""));

  const std::string cluster_ip = str(spec, "clusterIP");
  if (cluster_ip == "None") return out;  // headless: DNS only
  if (cluster_ip.empty()) return fail(invalid("spec.clusterIP: Required value (no API server allocates one here)"));
  auto cip = parse_ip(child(spec, "clusterIP"), "spec.clusterIP");
  if (!cip.ok()) return fail(cip.error());

  std::vector<uint32_t> external_ips;
  const json& ext = child(spec, "externalIPs");
  if (ext.is_array()) {
    for (size_t i = 0; i < ext.size(); ++i) {
      auto ip = parse_ip(ext[i], "spec.externalIPs[" + std::to_string(i) + "]");
      if (!ip.ok()) return fail(ip.error());
      external_ips.push_back(*ip);
    }
  }
  std::vector<uint32_t> lb_ips;
  if (out.type == ServiceType::kLoadBalancer) {
    const json& ingress = child(child(child(svc, "status"), "loadBalancer"), "ingress");
    if (ingress.is_array()) {
      for (size_t i = 0; i < ingress.size(); ++i) {
        const json& ip = child(ingress[i], "ip");
        if (ip.is_null()) continue;  // hostname-only ingress
        auto parsed = parse_ip(ip, "status.loadBalancer.ingress[" + std::to_string(i) + "].ip");
        if (!parsed.ok()) return fail(parsed.error());
        lb_ips.push_back(*parsed);
      }
    }
  }

  std::vector<iptables::Cidr> source_ranges;
  const json& ranges = child(spec, "loadBalancerSourceRanges");
  if (!ranges.is_null() && !ranges.is_array()) return fail(invalid("spec.loadBalancerSourceRanges: must be a list of CIDRs"));
  for (size_t i = 0; ranges.is_array() && i < ranges.size(); ++i) {
    const std::string f = "spec.loadBalancerSourceRanges[" + std::to_string(i) + "]";
    const std::string text = ranges[i].is_string() ? ranges[i].get<std::string>() : ranges[i].dump();
    auto cidr = text.find('/') == std::string::npos ? std::nullopt : iptables::parse_cidr(text);
    if (!cidr) return fail(invalid(f + ": Invalid value: \"" + text + "\": must be an IPv4 CIDR, e.g. 203.0.113.0/24"));
    if (cidr->prefix < 32) cidr->addr &= cidr->prefix == 0 ? 0 : ~0u << (32 - cidr->prefix);  // as kube-proxy: the network
    source_ranges.push_back(*cidr);
  }

  const std::string affinity = str(spec, "sessionAffinity", "None");
  if (affinity != "None" && affinity != "ClientIP")
    return fail(invalid("spec.sessionAffinity: Unsupported value: \"" + affinity + "\""));
  uint32_t timeout = 10800;
  const json& t = child(child(child(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds");
  if (!t.is_null()) {
    if (!t.is_number_integer() || t.get<long long>() < 1 || t.get<long long>() > 86400)
      return fail(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds: must be between 1 and 86400"));
    timeout = t.get<uint32_t>();
  }
  auto policy = [&](const char* key, const std::string& def) -> Result<bool> {
    const std::string v = str(spec, key, def);
    if (v == "Cluster") return false;
    if (v == "Local") return true;
    return invalid(std::string("spec.") + key + ": Unsupported value: \"" + v + "\"");
  };
  auto etp = policy("externalTrafficPolicy", "Cluster");
  if (!etp.ok()) return fail(etp.error());
  auto itp = policy("internalTrafficPolicy", "Cluster");
  if (!itp.ok()) return fail(itp.error());
  if (*etp && out.type == ServiceType::kClusterIP)
    return fail(invalid("spec.externalTrafficPolicy: may only be set on NodePort and LoadBalancer Services"));

  const json& selector = child(spec, "selector");
  if (selector.is_object()) {
    for (const auto& [k, v] : selector.items()) {
      if (!v.is_string()) return fail(invalid("spec.selector[" + k + "]: must be a string"));
      out.selector[k] = v.get<std::string>();
    }
  }

  const json& ports = child(spec, "ports");
  if (!ports.is_array() || ports.empty()) return fail(invalid("spec.ports: Required value"));
  std::set<std::string> names;
  std::set<std::pair<uint16_t, Protocol>> port_protos;
  for (size_t i = 0; i < ports.size(); ++i) {
    const std::string f = "spec.ports[" + std::to_string(i) + "]";
    const json& p = ports[i];
    ServicePortInfo info;
    const std::string pname = str(p, "name");
    if (ports.size() > 1 && pname.empty()) return fail(invalid(f + ".name: Required value (Service has several ports)"));
    if (!names.insert(pname).second) return fail(invalid(f + ".name: Duplicate value: \"" + pname + "\""));
    info.name = ServicePortName{out.name.ns, out.name.name, pname};
    auto proto = parse_protocol(child(p, "protocol"), f + ".protocol");
    if (!proto.ok()) return fail(proto.error());
    info.protocol = *proto;
    auto port = parse_port(child(p, "port"), f + ".port", true);
    if (!port.ok()) return fail(port.error());
    info.port = *port;
    if (!port_protos.insert({info.port, info.protocol}).second)
      return fail(invalid(f + ": Duplicate value: port " + std::to_string(info.port) + "/" + protocol_name(info.protocol)));
    const json& tp = child(p, "targetPort");
    if (tp.is_number_integer()) {
      auto target = parse_port(tp, f + ".targetPort", true);
      if (!target.ok()) return fail(target.error());
      info.target_port = std::to_string(*target);
    } else if (tp.is_string() && !tp.get<std::string>().empty()) {
      info.target_port = tp.get<std::string>();
    } else if (!tp.is_null()) {
      return fail(invalid(f + ".targetPort: must be a port number or a port name"));
    } else {
      info.target_port = std::to_string(info.port);
    }
    auto np = parse_port(child(p, "nodePort"), f + ".nodePort", false, 30000, 32767);
    if (!np.ok()) return fail(np.error());
    if (*np && out.type == ServiceType::kClusterIP)
      return fail(invalid(f + ".nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"));
    if (!*np && out.type != ServiceType::kClusterIP)
      return fail(invalid(f + ".nodePort: Required value (no API server allocates one here)"));
    info.node_port = *np;
    info.cluster_ip = *cip;
    info.external_ips = external_ips;
    info.load_balancer_ips = lb_ips;
    info.load_balancer_source_ranges = source_ranges;
    info.external_policy_local = *etp;
    info.internal_policy_local = *itp;
    info.session_affinity_client_ip = affinity == "ClientIP";
    info.affinity_timeout_seconds = timeout;
    out.ports.push_back(std::move(info));
  }
  return out;
}

Result<EndpointSliceInfo> endpoint_slice_from_json(const json& slice) {
  if (!slice.is_object()) return invalid("endpointslice: not an object");
  const json& meta = child(slice, "metadata");
  EndpointSliceInfo out;
  out.name = ObjectName{str(meta, "namespace", "default"), str(meta, "name")};
  if (out.name.name.empty()) return invalid("endpointslice: metadata.name: Required value");
  const std::string ctx = "endpointslice " + out.name.to_string();
  auto fail = [&](const Error& e) { return e.wrap(ctx); };
  out.service_name = str(child(meta, "labels"), "kubernetes.io/service-name");
  if (out.service_name.empty())
    return fail(invalid("metadata.labels[kubernetes.io/service-name]: Required value"));
  const std::string family = str(slice, "addressType");
  if (family != "IPv4") return fail(invalid("addressType: Unsupported value: \"" + family + "\": supported: \"IPv4\""));

  const json& ports = child(slice, "ports");
  if (ports.is_array()) {
    std::set<std::string> names;
    for (size_t i = 0; i < ports.size(); ++i) {
      const std::string f = "ports[" + std::to_string(i) + "]";
      EndpointSliceInfo::Port port;
      port.name = str(ports[i], "name");
      if (!names.insert(port.name).second) return fail(invalid(f + ".name: Duplicate value: \"" + port.name + "\""));
      auto proto = parse_protocol(child(ports[i], "protocol"), f + ".protocol");
      if (!proto.ok()) return fail(proto.error());
      port.protocol = *proto;
      auto p = parse_port(child(ports[i], "port"), f + ".port", true);
      if (!p.ok()) return fail(p.error());
      port.port = *p;
      out.ports.push_back(std::move(port));
    }
  }
  const json& eps = child(slice, "endpoints");
  if (eps.is_array()) {
    for (size_t i = 0; i < eps.size(); ++i) {
      const std::string f = "endpoints[" + std::to_string(i) + "]";
      EndpointSliceInfo::Endpoint ep;
      const json& addrs = child(eps[i], "addresses");
      if (!addrs.is_array() || addrs.empty()) return fail(invalid(f + ".addresses: Required value"));
      for (size_t j = 0; j < addrs.size(); ++j) {
        auto ip = parse_ip(addrs[j], f + ".addresses[" + std::to_string(j) + "]");
        if (!ip.ok()) return fail(ip.error());
        ep.addresses.push_back(*ip);
      }
      const json& cond = child(eps[i], "conditions");
      auto flag = [&](const char* key, bool def) {
        const json& v = child(cond, key);
        return v.is_boolean() ? v.get<bool>() : def;
      };
      ep.ready = flag("ready", true);
      ep.serving = flag("serving", ep.ready);
      ep.terminating = flag("terminating", false);
      ep.node_name = str(eps[i], "nodeName");
      out.endpoints.push_back(std::move(ep));
    }
  }
  return out;
}

}  // namespace nodeagent::proxy
