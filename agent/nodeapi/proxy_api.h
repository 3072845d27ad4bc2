// kube-proxy's servers, in the node's netns: /healthz and /livez on --proxy-healthz-bind-address
// (0.0.0.0:10256), /metrics on --proxy-metrics-bind-address (127.0.0.1:10249), and the
// per-Service healthCheckNodePort listeners. Fed by the proxy's syncs (on_synced).
#pragma once

#include <memory>
#include <string>

#include "agent/nodeapi/http_server.h"
#include "agent/nodeapi/proxy_health.h"

namespace nodeagent::nodeapi {

struct ProxyApiConfig {
  std::string healthz_bind_address = "0.0.0.0:10256";  // "": off
  std::string metrics_bind_address = "127.0.0.1:10249";
  std::string node_port_address = "0.0.0.0";           // where healthCheckNodePorts listen
};

class ProxyApi {
 public:
  explicit ProxyApi(ProxyApiConfig config) : config_(std::move(config)), services_(health_, config_.node_port_address) {}
  ~ProxyApi() { stop(); }
  [[nodiscard]] Status start();
  void stop();
  // From the proxy's sync thread.
  void on_synced(const network::proxy::ProxyState& state, bool ok);
  int healthz_port() const { return healthz_ ? healthz_->port() : 0; }
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  ProxyApiConfig config_;
  ProxyHealth health_;
  ServiceHealthServers services_;
  std::unique_ptr<HttpServer> healthz_;
  std::unique_ptr<HttpServer> metrics_;
};

// "ip:port" -> parts; kInvalid naming the flag.
Result<std::pair<std::string, int>> split_host_port(const std::string& flag, const std::string& value);

}  // namespace nodeagent::nodeapi
