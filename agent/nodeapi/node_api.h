// kubelet's servers, assembled: the node API on --address:--port (HTTPS, authenticated and
// authorized as kubelet's: node_auth.h) with /healthz, /pods, /containerLogs, /stats/summary,
// /metrics, /metrics/resource, /metrics/probes, plus the routes others add before start()
// (the streaming endpoints); and the plain /healthz on --healthz-bind-address:--healthz-port.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/api/backend.h"
#include "agent/nodeapi/http_server.h"
#include "agent/nodeapi/node_auth.h"
#include "agent/nodeapi/stats_summary.h"

namespace nodeagent::kube::client {
class ApiClient;
}

namespace nodeagent::nodeapi {

struct NodeApiConfig {
  bool serve_api = true;              // standalone: only when asked (--enable-server / --port)
  std::string address = "0.0.0.0";
  int port = 10250;
  std::string tls_cert_file, tls_private_key_file;  // "": self-signed in cert_dir
  std::string cert_dir;
  std::string client_ca_file;
  bool anonymous_auth = false;
  std::string healthz_bind_address = "127.0.0.1";
  int healthz_port = 10248;           // 0: off
  std::string node_name;
  std::vector<std::string> serving_hosts;  // SANs of the self-signed certificate
  int threads = 4;
};

struct NodeApiDeps {
  api::AgentBackend* backend = nullptr;
  kube::client::ApiClient* client = nullptr;  // null: standalone (client certificates only)
  StatsSources stats;
  runtime::cgroups::CgroupLayout cgroups;
  std::function<bool()> healthy;             // kubelet's syncloop check; null = always
};

class NodeApi {
 public:
  NodeApi(NodeApiConfig config, NodeApiDeps deps);
  ~NodeApi();
  // Before start(): more routes on the authenticated server (exec, attach, portForward, run).
  void add_route(Route route) { extra_.push_back(std::move(route)); }
  [[nodiscard]] Status start();
  void stop();
  int port() const;  // the bound node API port (0 when not serving)

 private:
  Router routes();
  NodeApiConfig config_;
  NodeApiDeps deps_;
  std::vector<Route> extra_;
  std::unique_ptr<Reviews> reviews_;
  std::unique_ptr<NodeAuth> auth_;
  std::unique_ptr<StatsProvider> stats_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpServer> healthz_;
};

// PodList JSON as kubelet's /pods gives it.
std::string pod_list_json(const std::vector<nlohmann::json>& pods);
// Counts for kubelet_running_pods / kubelet_running_containers from v1 pods with status.
void record_running_counts(const std::vector<nlohmann::json>& pods);

}  // namespace nodeagent::nodeapi
