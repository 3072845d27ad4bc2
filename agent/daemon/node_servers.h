// Builds and starts kubelet's and kube-proxy's HTTP servers (agent/nodeapi) from the config:
// the node API (joined: always; standalone: with --enable-server or --port), the healthz port,
// and the proxy's healthz/metrics/healthCheckNodePort listeners. Also records
// kubelet_pod_start_duration_seconds from the status manager. Listener failures other than the
// node API's own are warnings, as kubelet's healthz and kube-proxy's servers are.
#pragma once

#include <memory>
#include <string>

#include "agent/config/config.h"
#include "agent/daemon/backend.h"
#include "agent/nodeapi/node_api.h"
#include "agent/nodeapi/proxy_api.h"
#include "agent/status/status_manager.h"
#include "runtime/cgroups/cgroup_manager.h"

namespace nodeagent::kube::client {
class ApiClient;
}

namespace nodeagent::daemon {

struct NodeServerInputs {
  DaemonBackend* backend = nullptr;
  kube::client::ApiClient* client = nullptr;  // null: standalone
  runtime::cgroups::CgroupManager* cgroups = nullptr;
  status::StatusManager* statuses = nullptr;
  std::string node_name, node_ip;
  // More routes on the node API: the streaming endpoints (exec, attach, portForward, run) as
  // nodeapi::UpgradeHandler routes over nodeapi::ByteStream.
  std::vector<nodeapi::Route> routes;
};

// The proxy's servers first (the proxy's on_synced feeds them); null when the proxy is off.
std::unique_ptr<nodeapi::ProxyApi> start_proxy_servers(const config::AgentConfig& config);
Result<std::unique_ptr<nodeapi::NodeApi>> start_node_api(const config::AgentConfig& config, const NodeServerInputs& in);
// kubelet_pod_start_duration_seconds: from status.startTime (when the node first saw the pod)
// to the first status with phase Running.
void track_pod_starts(status::StatusManager& statuses);

}  // namespace nodeagent::daemon
