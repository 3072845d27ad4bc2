#include "agent/daemon/node_servers.h"

#include <unistd.h>

#include <mutex>
#include <set>

#include "util/log.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::daemon {

namespace {

kube::QosClass qos_of(const std::string& s) {
  if (s == "Guaranteed") return kube::QosClass::kGuaranteed;
  if (s == "Burstable") return kube::QosClass::kBurstable;
  return kube::QosClass::kBestEffort;
}

// The pods for /stats/summary: the backend's v1 pods and their running containers.
std::vector<nodeapi::StatsPod> stats_pods(DaemonBackend& backend) {
  std::vector<nodeapi::StatsPod> out;
  for (const auto& pod : backend.list_pods()) {
    const auto meta = pod.value("metadata", nlohmann::json::object());
    const auto status = pod.value("status", nlohmann::json::object());
    nodeapi::StatsPod p;
    p.name = meta.value("name", "");
    p.ns = meta.value("namespace", "default");
    p.uid = meta.value("uid", "");
    p.start_time = status.value("startTime", "");
    p.qos = status.value("qosClass", "BestEffort");
    const std::string phase = status.value("phase", "");
    if (phase == "Succeeded" || phase == "Failed") continue;  // kubelet reports active pods
    std::map<std::string, std::string> started;
    for (const auto& cs : status.value("containerStatuses", nlohmann::json::array()))
      if (cs.contains("state") && cs["state"].contains("running"))
        started[cs.value("name", "")] = cs["state"]["running"].value("startedAt", "");
    if (auto containers = backend.list_containers(p.uid, false); containers.ok())
      for (const auto& c : *containers) {
        if (c.state.state != runtime::ContainerStateKind::kRunning) continue;
        auto it = started.find(c.container_name);
        if (it == started.end()) continue;  // init containers are not reported
        p.containers.push_back({c.container_name, c.state.id, it->second, c.state.pid});
      }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::unique_ptr<nodeapi::ProxyApi> start_proxy_servers(const config::AgentConfig& c) {
  if (!c.proxy_enabled) return nullptr;
  nodeapi::ProxyApiConfig pc;
  pc.healthz_bind_address = c.proxy_healthz_bind_address;
  pc.metrics_bind_address = c.proxy_metrics_bind_address;
  auto api = std::make_unique<nodeapi::ProxyApi>(pc);
  if (auto st = api->start(); !st.ok()) log::get("agent")->warn("kube-proxy servers: {}", st.error().message);
  return api;
}

Result<std::unique_ptr<nodeapi::NodeApi>> start_node_api(const config::AgentConfig& c, const NodeServerInputs& in) {
  nodeapi::NodeApiConfig nc;
  nc.serve_api = in.client != nullptr || c.enable_server || c.port != 0;
  nc.address = c.address;
  nc.port = c.port == 0 ? 10250 : c.port;
  nc.tls_cert_file = c.tls_cert_file;
  nc.tls_private_key_file = c.tls_private_key_file;
  nc.cert_dir = c.cert_dir.empty() ? c.root_dir + "/pki" : c.cert_dir;
  nc.client_ca_file = c.client_ca_file;
  nc.anonymous_auth = c.anonymous_auth;
  nc.healthz_port = c.healthz_port;
  nc.healthz_bind_address = c.healthz_bind_address;
  nc.node_name = in.node_name;
  nc.serving_hosts = {in.node_name};
  if (!in.node_ip.empty()) nc.serving_hosts.push_back(in.node_ip);

  nodeapi::NodeApiDeps deps;
  deps.backend = in.backend;
  deps.client = in.client;
  auto* backend = in.backend;
  auto* cgroups = in.cgroups;
  deps.stats.node_name = in.node_name;
  deps.stats.root_dir = c.root_dir;
  deps.stats.log_dir = c.pod_log_dir;
  deps.stats.pods = [backend] { return stats_pods(*backend); };
  deps.stats.pod_cgroup = [cgroups](const nodeapi::StatsPod& p) { return cgroups->pod_cgroup_path(p.uid, qos_of(p.qos)); };
  deps.stats.container_cgroup = [cgroups](const nodeapi::StatsPod& p, const nodeapi::StatsContainer& ct) {
    return cgroups->container_cgroups_path(p.uid, qos_of(p.qos), ct.id);
  };
  std::string prefix = c.cgroup_root == "/" ? "" : c.cgroup_root;
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  // The kubepods parent: the Guaranteed pods' parent is kubepods itself.
  const std::string guaranteed = cgroups->pod_cgroup_path("x", kube::QosClass::kGuaranteed);
  deps.stats.pods_cgroup = guaranteed.substr(0, guaranteed.rfind('/'));
  auto layout = runtime::cgroups::detect_layout(prefix);
  if (!layout.ok()) return layout.error().wrap("cgroups for the stats");
  deps.cgroups = *layout;
  auto api = std::make_unique<nodeapi::NodeApi>(nc, std::move(deps));
  for (const auto& route : in.routes) api->add_route(route);
  if (auto st = api->start(); !st.ok()) {
    if (st.error().code == ErrorCode::kInvalid) return st.error();
    return st.error().wrap("node API");
  }
  if (in.statuses) track_pod_starts(*in.statuses);
  return api;
}

void track_pod_starts(status::StatusManager& statuses) {
  struct Seen {
    std::mutex mu;
    std::set<std::string> running;
  };
  auto seen = std::make_shared<Seen>();
  auto* sm = &statuses;
  statuses.add_listener([seen, sm](const std::vector<std::string>& uids) {
    for (const auto& uid : uids) {
      auto st = sm->get_pod_status(uid);
      std::lock_guard lock(seen->mu);
      if (!st) {
        seen->running.erase(uid);
        continue;
      }
      if (st->phase != "Running" || !st->start_time || !seen->running.insert(uid).second) continue;
      auto since = std::chrono::duration<double>(std::chrono::system_clock::now() - *st->start_time).count();
      if (since >= 0 && since < 3600) metrics::pod_start_duration().observe({}, since);  // not pods adopted after a restart
    }
  });
}

}  // namespace nodeagent::daemon
