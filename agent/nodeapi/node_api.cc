#include "agent/nodeapi/node_api.h"

#include "agent/nodeapi/container_logs.h"
#include "agent/nodeapi/resource_metrics.h"
#include "agent/nodeapi/reviews.h"
#include "agent/nodeapi/serving_cert.h"
#include "util/log.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::nodeapi {

namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

HttpResponse prometheus(std::string body) {
  HttpResponse r;
  r.content_type = kPrometheusText;
  r.body = std::move(body);
  return r;
}

SimpleHandler get_only(SimpleHandler inner) {
  return [inner = std::move(inner)](const HttpRequest& req, const User& user) {
    if (req.method != "GET" && req.method != "HEAD") return text_response(405, "405: Method Not Allowed");
    return inner(req, user);
  };
}

}  // namespace

std::string pod_list_json(const std::vector<nlohmann::json>& pods) {
  nlohmann::json list = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
                         {"items", pods}};
  return list.dump();
}

void record_running_counts(const std::vector<nlohmann::json>& pods) {
  int running_pods = 0;
  std::map<std::string, int> states = {{"running", 0}, {"exited", 0}, {"created", 0}, {"unknown", 0}};
  for (const auto& pod : pods) {
    const auto status = pod.value("status", nlohmann::json::object());
    bool any_running = false;
    for (const char* key : {"initContainerStatuses", "containerStatuses"})
      for (const auto& cs : status.value(key, nlohmann::json::array())) {
        const auto state = cs.value("state", nlohmann::json::object());
        if (state.contains("running")) {
          ++states["running"];
          any_running = true;
        } else if (state.contains("terminated")) {
          ++states["exited"];
        } else if (state.contains("waiting") && !cs.value("containerID", "").empty()) {
          ++states["created"];
        }
      }
    // A pod whose sandbox runs: it has containers running, or an IP and is not finished.
    const std::string phase = status.value("phase", "");
    if (any_running || (!status.value("podIP", "").empty() && phase != "Succeeded" && phase != "Failed")) ++running_pods;
  }
  metrics::running_pods().set({}, running_pods);
  for (const auto& [state, n] : states) metrics::running_containers().set({state}, n);
}

NodeApi::NodeApi(NodeApiConfig config, NodeApiDeps deps) : config_(std::move(config)), deps_(std::move(deps)) {}

NodeApi::~NodeApi() { stop(); }

int NodeApi::port() const { return server_ ? server_->port() : 0; }

Router NodeApi::routes() {
  Router r;
  auto* backend = deps_.backend;
  auto healthy = deps_.healthy;
  r.add(Route{"/healthz", true, get_only([healthy](const HttpRequest&, const User&) {
                if (healthy && !healthy()) return text_response(500, "[-]syncloop failed: reason withheld\nhealthz check failed\n");
                return text_response(200, "ok");
              })});
  r.add(Route{"/pods", false, get_only([backend](const HttpRequest&, const User&) {
                return json_response(200, pod_list_json(backend->list_pods()));
              })});
  r.add(container_logs_route(*backend));
  auto* stats = stats_.get();
  auto summary = get_only([stats](const HttpRequest& req, const User&) {
    bool only = req.param("only_cpu_and_memory") == "true";
    return json_response(200, stats->summary(only).dump(2));
  });
  r.add(Route{"/stats/summary", false, summary});
  r.add(Route{"/stats/summary/", true, summary});
  r.add(Route{"/metrics", false, get_only([](const HttpRequest&, const User&) { return prometheus(metrics::kubelet().render()); })});
  r.add(Route{"/metrics/probes", false,
              get_only([](const HttpRequest&, const User&) { return prometheus(metrics::probes().render()); })});
  r.add(Route{"/metrics/resource", false, get_only([stats](const HttpRequest&, const User&) {
                return prometheus(resource_metrics_text(stats->summary(true)));
              })});
  for (auto& extra : extra_) r.add(extra);
  return r;
}

Status NodeApi::start() {
  auto* backend = deps_.backend;
  metrics::kubelet().on_collect([backend] { record_running_counts(backend->list_pods()); });
  stats_ = std::make_unique<StatsProvider>(deps_.stats, runtime::cgroups::CgroupStatsReader(deps_.cgroups));
  if (config_.healthz_port > 0) {
    Router hr;
    auto healthy = deps_.healthy;
    hr.add(Route{"/healthz", true, SimpleHandler([healthy](const HttpRequest&, const User&) {
                   if (healthy && !healthy()) return text_response(500, "[-]syncloop failed: reason withheld\nhealthz check failed\n");
                   return text_response(200, "ok");
                 })});
    HttpServerOptions ho;
    ho.name = "healthz";
    ho.address = config_.healthz_bind_address;
    ho.port = config_.healthz_port;
    ho.threads = 1;
    healthz_ = std::make_unique<HttpServer>(ho, std::move(hr));
    // As kubelet: a healthz port that cannot be bound is logged, the agent runs on.
    if (auto st = healthz_->start(); !st.ok()) log::get("nodeapi")->warn("{}", st.error().message);
  }
  if (!config_.serve_api) return ok_status();

  TlsFiles tls;
  if (!config_.tls_cert_file.empty() || !config_.tls_private_key_file.empty()) {
    if (config_.tls_cert_file.empty() || config_.tls_private_key_file.empty())
      return invalid("--tls-cert-file and --tls-private-key-file must be given together");
    tls.cert_file = config_.tls_cert_file;
    tls.key_file = config_.tls_private_key_file;
  } else {
    NA_ASSIGN_OR_RETURN(auto made, ensure_self_signed_cert(config_.cert_dir, config_.serving_hosts));
    tls.cert_file = made.cert_file;
    tls.key_file = made.key_file;
  }
  tls.client_ca_file = config_.client_ca_file;
  if (!deps_.client && tls.client_ca_file.empty())
    return invalid("the node API without a control plane authenticates client certificates only: give --client-ca-file");

  if (deps_.client) reviews_ = std::make_unique<ApiReviews>(*deps_.client);
  NodeAuthOptions ao;
  ao.node_name = config_.node_name;
  ao.anonymous = config_.anonymous_auth && deps_.client;  // standalone: client certificates only
  auth_ = std::make_unique<NodeAuth>(ao, reviews_.get());

  HttpServerOptions so;
  so.name = "node API";
  so.address = config_.address;
  so.port = config_.port;
  so.tls = tls;
  so.threads = config_.threads;
  server_ = std::make_unique<HttpServer>(so, routes(), auth_->gate());
  return server_->start();
}

void NodeApi::stop() {
  if (server_) server_->stop();
  if (healthz_) healthz_->stop();
}

}  // namespace nodeagent::nodeapi
