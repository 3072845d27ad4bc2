// The service proxy's model, after kube-proxy's ServicePort and Endpoint info: what the compiler
// needs to know about each Service port and each endpoint, independent of where it came from
// (manifest files, the API server, the agent's own pods).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "network/iptables/rule.h"

namespace nodeagent::network::proxy {

using iptables::Protocol;

// "namespace/name:port" (":port" only when the port has a name), as kube-proxy spells it.
struct ServicePortName {
  std::string ns;
  std::string name;
  std::string port;
  std::string to_string() const { return ns + "/" + name + (port.empty() ? "" : ":" + port); }
  auto operator<=>(const ServicePortName&) const = default;
};

// namespace/name of a Service (or of an EndpointSlice).
struct ObjectName {
  std::string ns;
  std::string name;
  std::string to_string() const { return ns + "/" + name; }
  auto operator<=>(const ObjectName&) const = default;
};

enum class ServiceType { kClusterIP, kNodePort, kLoadBalancer };
const char* service_type_name(ServiceType t);

struct ServicePortInfo {
  ServicePortName name;
  Protocol protocol = Protocol::kTcp;
  uint32_t cluster_ip = 0;  // host byte order
  uint16_t port = 0;
  uint16_t node_port = 0;   // 0 = none
  std::vector<uint32_t> external_ips;
  std::vector<uint32_t> load_balancer_ips;  // status.loadBalancer.ingress[].ip
  // spec.loadBalancerSourceRanges: only these sources reach the LB IPs (KUBE-FW- chain).
  std::vector<iptables::Cidr> load_balancer_source_ranges;
  bool external_policy_local = false;  // externalTrafficPolicy: Local
  uint16_t health_check_node_port = 0;  // spec.healthCheckNodePort (LoadBalancer, policy Local)
  bool internal_policy_local = false;  // internalTrafficPolicy: Local
  bool session_affinity_client_ip = false;
  uint32_t affinity_timeout_seconds = 10800;
  // spec.ports[].targetPort as written: a number ("8080") or a container port name ("http");
  // defaults to the port. Only used to compute endpoints from pods.
  std::string target_port;
  bool operator==(const ServicePortInfo&) const = default;

  bool has_external() const { return node_port != 0 || !external_ips.empty() || !load_balancer_ips.empty(); }
};

// One Service with all its ports (the unit a source adds and removes).
struct ServiceInfo {
  ObjectName name;
  ServiceType type = ServiceType::kClusterIP;
  std::vector<ServicePortInfo> ports;
  // spec.selector; absent or empty means endpoints come only from EndpointSlices.
  std::map<std::string, std::string> selector;
  bool operator==(const ServiceInfo&) const = default;
};

struct EndpointInfo {
  uint32_t ip = 0;
  uint16_t port = 0;
  bool ready = false;
  bool serving = false;
  bool terminating = false;
  bool is_local = false;
  std::string node_name;
  std::string to_string() const { return iptables::format_ipv4(ip) + ":" + std::to_string(port); }
  bool operator==(const EndpointInfo&) const = default;
};

// One discovery.k8s.io/v1 EndpointSlice (or the agent's computed equivalent): its endpoints
// serve every port listed, for the Service named by service_name.
struct EndpointSliceInfo {
  ObjectName name;            // the slice's own namespace/name
  std::string service_name;   // label kubernetes.io/service-name
  struct Port {
    std::string name;
    Protocol protocol = Protocol::kTcp;
    uint16_t port = 0;
    bool operator==(const Port&) const = default;
  };
  struct Endpoint {
    std::vector<uint32_t> addresses;
    bool ready = true;          // conditions default as in the API: nil ready means ready
    bool serving = true;
    bool terminating = false;
    std::string node_name;
    bool operator==(const Endpoint&) const = default;
  };
  std::vector<Port> ports;
  std::vector<Endpoint> endpoints;
  bool operator==(const EndpointSliceInfo&) const = default;
};

// Everything the compiler reads: Service ports and their endpoints (is_local already resolved).
struct ProxyState {
  std::map<ServicePortName, ServicePortInfo> services;
  std::map<ServicePortName, std::vector<EndpointInfo>> endpoints;
};

}  // namespace nodeagent::network::proxy
