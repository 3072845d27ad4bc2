// kube-proxy's health servers (pkg/proxy/healthcheck):
//   - ProxyHealth: healthy unless a change has waited for a successful sync longer than the
//     health timeout (2 x the 30 s sync period); /healthz and /livez answer with its JSON
//     ({"lastUpdated","currentTime","nodeEligible","healthy","status":{"IPv4":{...}}}), 200 or 503.
//   - ServiceHealthServers: one listener per healthCheckNodePort of a LoadBalancer Service
//     with externalTrafficPolicy: Local, answering 200 while the node has a ready local endpoint
//     for it (and the proxy is healthy), else 503, with kube-proxy's JSON body and the
//     X-Load-Balancing-Endpoint-Weight header. Started and stopped as Services come and go.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/nodeapi/http_server.h"
#include "network/proxy/types.h"

namespace nodeagent::nodeapi {

class ProxyHealth {
 public:
  using Now = std::function<std::chrono::system_clock::time_point()>;
  explicit ProxyHealth(std::chrono::seconds timeout = std::chrono::seconds(60),
                       Now now = [] { return std::chrono::system_clock::now(); })
      : timeout_(timeout), now_(std::move(now)) {}
  void queued();           // a change waits for a sync
  void synced(bool ok);    // a sync attempt ended
  bool healthy() const;
  // The JSON body; node_eligible is only given for /healthz.
  std::string body(std::optional<bool> node_eligible) const;

 private:
  std::chrono::seconds timeout_;
  Now now_;
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point last_updated_{};
  std::optional<std::chrono::system_clock::time_point> oldest_pending_;
};

// kube-proxy's /healthz (node eligibility included) and /livez routes.
Router proxy_health_routes(ProxyHealth& health, std::function<bool()> node_eligible);
// The healthCheckNodePort body.
std::string service_health_body(const std::string& ns, const std::string& name, int local_endpoints, bool proxy_healthy);

// Ready local endpoints (distinct IPs) per Service with a healthCheckNodePort, and its port.
struct ServiceHealthTarget {
  uint16_t port = 0;
  int local_endpoints = 0;
};
std::map<network::proxy::ObjectName, ServiceHealthTarget> service_health_targets(const network::proxy::ProxyState& state);

class ServiceHealthServers {
 public:
  ServiceHealthServers(ProxyHealth& health, std::string address = "0.0.0.0") : health_(health), address_(std::move(address)) {}
  ~ServiceHealthServers() { stop(); }
  // Opens listeners for new ports, closes those no Service wants any more, updates the counts.
  void sync(const network::proxy::ProxyState& state);
  void stop();

 private:
  struct Entry {
    network::proxy::ObjectName service;
    std::shared_ptr<std::atomic<int>> endpoints;
    std::unique_ptr<HttpServer> server;
  };
  ProxyHealth& health_;
  std::string address_;
  std::mutex mu_;
  std::map<uint16_t, Entry> servers_;
};

}  // namespace nodeagent::nodeapi
