#include "agent/nodeapi/proxy_api.h"

#include "util/metrics/registry.h"

namespace nodeagent::nodeapi {

Result<std::pair<std::string, int>> split_host_port(const std::string& flag, const std::string& value) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon + 1 == value.size())
    return invalid(flag + ": \"" + value + "\" must be IP:PORT");
  std::string host = value.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(value.substr(colon + 1), &used);
    if (used != value.size() - colon - 1) throw std::invalid_argument("port");
  } catch (...) {
    return invalid(flag + ": \"" + value + "\" must be IP:PORT");
  }
  if (port < 0 || port > 65535) return invalid(flag + ": port " + std::to_string(port) + " is out of range");
  return std::make_pair(host.empty() ? std::string("0.0.0.0") : host, port);
}

Status ProxyApi::start() {
  if (!config_.healthz_bind_address.empty()) {
    NA_ASSIGN_OR_RETURN(auto hp, split_host_port("--proxy-healthz-bind-address", config_.healthz_bind_address));
    HttpServerOptions o;
    o.name = "kube-proxy healthz";
    o.address = hp.first;
    o.port = hp.second;
    o.threads = 1;
    healthz_ = std::make_unique<HttpServer>(o, proxy_health_routes(health_, nullptr));
    NA_RETURN_IF_ERROR(healthz_->start());
  }
  if (!config_.metrics_bind_address.empty()) {
    NA_ASSIGN_OR_RETURN(auto hp, split_host_port("--proxy-metrics-bind-address", config_.metrics_bind_address));
    Router r;
    r.add(Route{"/metrics", false, SimpleHandler([](const HttpRequest&, const User&) {
                  HttpResponse resp;
                  resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  resp.body = metrics::proxy().render();
                  return resp;
                })});
    HttpServerOptions o;
    o.name = "kube-proxy metrics";
    o.address = hp.first;
    o.port = hp.second;
    o.threads = 1;
    metrics_ = std::make_unique<HttpServer>(o, std::move(r));
    NA_RETURN_IF_ERROR(metrics_->start());
  }
  return ok_status();
}

void ProxyApi::on_synced(const network::proxy::ProxyState& state, bool ok) {
  health_.synced(ok);
  services_.sync(state);
}

void ProxyApi::stop() {
  services_.stop();
  if (healthz_) healthz_->stop();
  if (metrics_) metrics_->stop();
}

}  // namespace nodeagent::nodeapi
