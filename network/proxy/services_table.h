// The library side of `nodectl services`: one row per Service with its type, ClusterIP,
// ports (port/protocol[:nodePort]) and endpoints ready/total, like `kubectl get svc` plus the
// endpoint counts an operator needs first when a Service does not answer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

struct ServiceRow {
  std::string ns;
  std::string name;
  std::string type;
  std::string cluster_ip;
  std::string external_ips;  // externalIPs and LB ingress IPs, comma-separated, or "<none>"
  std::string ports;         // "80/TCP,443:30443/TCP"
  size_t ready = 0;          // distinct ready endpoints (ip:port) over all ports
  size_t total = 0;
};

std::vector<ServiceRow> services_table(const std::map<ObjectName, ServiceInfo>& services, const ProxyState& state);

// Fixed-width text with a header: NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) ENDPOINTS
std::string format_services_table(const std::vector<ServiceRow>& rows);

}  // namespace nodeagent::network::proxy
