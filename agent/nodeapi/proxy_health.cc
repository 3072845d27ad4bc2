#include "agent/nodeapi/proxy_health.h"

#include <set>

#include <nlohmann/json.hpp>

#include "util/log.h"
#include "util/rfc3339.h"

namespace nodeagent::nodeapi {

void ProxyHealth::queued() {
  std::lock_guard lock(mu_);
  if (!oldest_pending_) oldest_pending_ = now_();
}

void ProxyHealth::synced(bool ok) {
  std::lock_guard lock(mu_);
  if (ok) {
    last_updated_ = now_();
    oldest_pending_.reset();
  } else if (!oldest_pending_) {
    oldest_pending_ = now_();  // what failed is still to be programmed
  }
}

bool ProxyHealth::healthy() const {
  std::lock_guard lock(mu_);
  return !oldest_pending_ || now_() - *oldest_pending_ < timeout_;
}

std::string ProxyHealth::body(std::optional<bool> node_eligible) const {
  const bool ok = healthy();
  std::chrono::system_clock::time_point last;
  const auto now = now_();
  {
    std::lock_guard lock(mu_);
    last = last_updated_;
  }
  // As kube-proxy: a healthy answer reports "now" as lastUpdated (older releases' semantics).
  const auto reported = ok && (!node_eligible || *node_eligible) ? now : last;
  auto t = [](std::chrono::system_clock::time_point p) { return format_rfc3339(p, Rfc3339Fraction::kNanosTrimmed); };
  nlohmann::ordered_json j;
  j["lastUpdated"] = t(reported);
  j["currentTime"] = t(now);
  if (node_eligible) j["nodeEligible"] = *node_eligible;
  j["healthy"] = ok;
  if (!ok) j["status"] = {{"IPv4", {{"lastUpdated", t(last)}, {"healthy", false}}}};
  return j.dump();
}

Router proxy_health_routes(ProxyHealth& health, std::function<bool()> node_eligible) {
  Router r;
  r.add(Route{"/healthz", false, SimpleHandler([&health, node_eligible](const HttpRequest&, const User&) {
                bool eligible = node_eligible ? node_eligible() : true;
                return json_response(health.healthy() && eligible ? 200 : 503, health.body(eligible));
              })});
  r.add(Route{"/livez", false, SimpleHandler([&health](const HttpRequest&, const User&) {
                return json_response(health.healthy() ? 200 : 503, health.body(std::nullopt));
              })});
  return r;
}

std::string service_health_body(const std::string& ns, const std::string& name, int local_endpoints, bool proxy_healthy) {
  nlohmann::json q = ns, n = name;
  return "{\n\t\"service\": {\n\t\t\"namespace\": " + q.dump() + ",\n\t\t\"name\": " + n.dump() +
         "\n\t},\n\t\"localEndpoints\": " + std::to_string(local_endpoints) +
         ",\n\t\"serviceProxyHealthy\": " + (proxy_healthy ? "true" : "false") + "\n}";
}

std::map<network::proxy::ObjectName, ServiceHealthTarget> service_health_targets(const network::proxy::ProxyState& state) {
  std::map<network::proxy::ObjectName, ServiceHealthTarget> out;
  std::map<network::proxy::ObjectName, std::set<uint32_t>> ips;
  for (const auto& [name, port] : state.services) {
    if (!port.health_check_node_port) continue;
    network::proxy::ObjectName svc{name.ns, name.name};
    out[svc].port = port.health_check_node_port;
    auto eps = state.endpoints.find(name);
    if (eps == state.endpoints.end()) continue;
    for (const auto& ep : eps->second)
      if (ep.is_local && ep.ready) ips[svc].insert(ep.ip);
  }
  for (auto& [svc, target] : out) target.local_endpoints = static_cast<int>(ips[svc].size());
  return out;
}

void ServiceHealthServers::sync(const network::proxy::ProxyState& state) {
  auto targets = service_health_targets(state);
  std::lock_guard lock(mu_);
  std::map<uint16_t, const std::pair<const network::proxy::ObjectName, ServiceHealthTarget>*> wanted;
  for (const auto& t : targets) wanted[t.second.port] = &t;
  for (auto it = servers_.begin(); it != servers_.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || !(w->second->first == it->second.service)) {
      it->second.server->stop();
      it = servers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [port, target] : wanted) {
    auto it = servers_.find(port);
    if (it != servers_.end()) {
      *it->second.endpoints = target->second.local_endpoints;
      continue;
    }
    Entry e{target->first, std::make_shared<std::atomic<int>>(target->second.local_endpoints), nullptr};
    Router r;
    auto count = e.endpoints;
    auto svc = e.service;
    auto* health = &health_;
    r.add(Route{"/", true, SimpleHandler([count, svc, health](const HttpRequest&, const User&) {
                  const int n = *count;
                  const bool ok = health->healthy();
                  auto resp = json_response(n != 0 && ok ? 200 : 503, service_health_body(svc.ns, svc.name, n, ok));
                  resp.headers.emplace_back("X-Load-Balancing-Endpoint-Weight", std::to_string(n));
                  return resp;
                })});
    HttpServerOptions o;
    o.name = "healthCheckNodePort " + svc.to_string();
    o.address = address_;
    o.port = port;
    o.threads = 1;
    e.server = std::make_unique<HttpServer>(o, std::move(r));
    if (auto st = e.server->start(); !st.ok()) {
      log::get("proxy")->warn("service {}: healthCheckNodePort {}: {}", svc.to_string(), port, st.error().message);
      continue;  // tried again at the next sync
    }
    servers_.emplace(port, std::move(e));
  }
}

void ServiceHealthServers::stop() {
  std::lock_guard lock(mu_);
  for (auto& [port, e] : servers_) e.server->stop();
  servers_.clear();
}

}  // namespace nodeagent::nodeapi
