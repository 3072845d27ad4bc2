// Part of the object model (see types.h): Service, EndpointSlice and Event. Services and slices
// compare by value (the service proxy detects changes that way).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/types_meta.h"

namespace nodeagent::kube {

// ---------------------------------------------------------------------------------------------
// Service (core/v1)

struct ServicePort {
  std::string name;
  std::string protocol = "TCP";
  std::optional<std::string> app_protocol;
  int32_t port = 0;
  IntOrString target_port;  // defaulted to port
  int32_t node_port = 0;    // 0 = none (allocated by the API server for NodePort/LoadBalancer)
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};

struct ClientIPConfig {
  int32_t timeout_seconds = 10800;
  friend bool operator==(const ClientIPConfig&, const ClientIPConfig&) = default;
};

struct SessionAffinityConfig {
  std::optional<ClientIPConfig> client_ip;  // JSON "clientIP"
  friend bool operator==(const SessionAffinityConfig&, const SessionAffinityConfig&) = default;
};

struct ServiceSpec {
  std::vector<ServicePort> ports;
  StringMap selector;  // empty = endpoints are managed by hand (no selector)
  std::string cluster_ip;  // "" | "None" (headless) | an IP
  std::vector<std::string> cluster_ips;
  std::string type = "ClusterIP";  // ClusterIP | NodePort | LoadBalancer | ExternalName
  std::vector<std::string> external_ips;
  std::string session_affinity = "None";  // None | ClientIP
  std::string load_balancer_ip;
  std::vector<std::string> load_balancer_source_ranges;
  std::string external_name;
  std::string external_traffic_policy;  // Cluster | Local; defaulted to Cluster for NodePort/LB
  int32_t health_check_node_port = 0;
  bool publish_not_ready_addresses = false;
  std::optional<SessionAffinityConfig> session_affinity_config;  // defaulted for ClientIP
  std::vector<std::string> ip_families;
  std::optional<std::string> ip_family_policy;
  std::optional<bool> allocate_load_balancer_node_ports;
  std::optional<std::string> load_balancer_class;
  std::string internal_traffic_policy = "Cluster";  // Cluster | Local
  std::optional<std::string> traffic_distribution;
  friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};

struct PortStatus {
  int32_t port = 0;
  std::string protocol;
  std::optional<std::string> error;
  friend bool operator==(const PortStatus&, const PortStatus&) = default;
};

struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  std::optional<std::string> ip_mode;
  std::vector<PortStatus> ports;
  friend bool operator==(const LoadBalancerIngress&, const LoadBalancerIngress&) = default;
};

struct ServiceStatus {
  std::vector<LoadBalancerIngress> load_balancer_ingress;  // JSON status.loadBalancer.ingress
  RawJson conditions;
  friend bool operator==(const ServiceStatus&, const ServiceStatus&) = default;
};

struct Service {
  ObjectMeta metadata;
  ServiceSpec spec;
  ServiceStatus status;
  friend bool operator==(const Service&, const Service&) = default;
};

// ---------------------------------------------------------------------------------------------
// EndpointSlice (discovery.k8s.io/v1)

struct EndpointConditions {
  std::optional<bool> ready;        // nil means ready (upstream: "interpret as true")
  std::optional<bool> serving;
  std::optional<bool> terminating;
  friend bool operator==(const EndpointConditions&, const EndpointConditions&) = default;
};

struct Endpoint {
  std::vector<std::string> addresses;
  EndpointConditions conditions;
  std::optional<std::string> hostname;
  std::optional<ObjectReference> target_ref;
  std::optional<std::string> node_name;
  std::optional<std::string> zone;
  RawJson hints;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointPort {
  std::optional<std::string> name;
  std::optional<std::string> protocol;  // defaulted to TCP
  std::optional<int32_t> port;
  std::optional<std::string> app_protocol;
  friend bool operator==(const EndpointPort&, const EndpointPort&) = default;
};

struct EndpointSlice {
  ObjectMeta metadata;  // label kubernetes.io/service-name names the Service
  std::string address_type;  // IPv4 | IPv6 | FQDN
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;
  friend bool operator==(const EndpointSlice&, const EndpointSlice&) = default;
};

// ---------------------------------------------------------------------------------------------
// Event (core/v1), for `nodectl events` and the API server

struct EventSource {
  std::string component;  // "kubelet"
  std::string host;       // node name
};

struct Event {
  ObjectMeta metadata;
  ObjectReference involved_object;
  std::string reason;   // Scheduled | Pulling | Pulled | Created | Started | Killing | BackOff | Unhealthy ...
  std::string message;
  EventSource source;
  std::optional<Time> first_timestamp;
  std::optional<Time> last_timestamp;
  int32_t count = 0;
  std::string type;  // Normal | Warning
  std::optional<Time> event_time;  // MicroTime
  std::string action;
  std::string reporting_component;
  std::string reporting_instance;
};

}  // namespace nodeagent::kube
