#include "agent/daemon/service_proxy.h"

#include <arpa/inet.h>

#include <set>

#include "kube/encode.h"
#include "util/log.h"
#include "network/iptables/kernel_table.h"
#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/conntrack.h"
#include "network/proxy/from_kube.h"
#include "network/proxy/pod_endpoints.h"
#include "network/proxy/runner.h"
#include "network/proxy/services_table.h"
#include "network/proxy/tracer.h"

namespace nodeagent::daemon {

namespace {

std::string key_of(const kube::ObjectMeta& m) { return (m.namespace_.empty() ? "default" : m.namespace_) + "/" + m.name; }

proxy::ObjectName name_of(const std::string& key) {
  auto slash = key.find('/');
  return {key.substr(0, slash), key.substr(slash + 1)};
}

bool pod_ready(const kube::Pod& pod) {
  for (const auto& c : pod.status.conditions)
    if (c.type == "Ready") return c.status == "True";
  return false;
}

proxy::PodForEndpoints for_endpoints(const kube::Pod& pod) {
  proxy::PodForEndpoints p;
  p.ns = pod.metadata.namespace_;
  p.name = pod.metadata.name;
  p.labels = pod.metadata.labels;
  in_addr addr{};
  if (!pod.status.pod_ip.empty() && ::inet_pton(AF_INET, pod.status.pod_ip.c_str(), &addr) == 1) p.ip = ntohl(addr.s_addr);
  p.ready = pod_ready(pod);
  p.terminating = pod.metadata.deletion_timestamp.has_value();
  for (const auto& c : pod.spec.containers)
    for (const auto& port : c.ports)
      if (!port.name.empty()) {
        auto proto = port.protocol == "UDP" ? proxy::Protocol::kUdp
                     : port.protocol == "SCTP" ? proxy::Protocol::kSctp : proxy::Protocol::kTcp;
        p.named_ports[port.name] = {static_cast<uint16_t>(port.container_port), proto};
      }
  return p;
}

// One kind of manifest object against what was applied before (`known`: key -> JSON text):
// unchanged objects are skipped, changed ones go to `apply`, and one that `apply` refuses is
// reported and left out. Returns the new `known`; the caller deletes what is no longer in it.
template <typename Object, typename Apply, typename Report>
std::map<std::string, std::string> apply_changed(const std::vector<Object>& objects, const std::string& kind,
                                                 const std::map<std::string, std::string>& known, Apply apply,
                                                 Report report) {
  std::map<std::string, std::string> next;
  for (const auto& object : objects) {
    auto key = key_of(object.metadata);
    auto json = kube::encode(object);
    auto text = json.dump();
    if (auto it = known.find(key); it != known.end() && it->second == text) {
      next[key] = std::move(text);
      continue;
    }
    if (Status applied = apply(object); !applied.ok()) {
      report(kind + " " + key, applied.error().message);
      continue;
    }
    report(kind + " " + key, "");  // applied: a later refusal is reported again
    next[key] = std::move(text);
  }
  return next;
}

}  // namespace

ServiceProxy::ServiceProxy(ServiceProxyConfig config, ProblemFn on_problem)
    : config_(std::move(config)), on_problem_(std::move(on_problem)) {}

ServiceProxy::~ServiceProxy() { stop(); }

Status ServiceProxy::start() {
  proxy::CompilerConfig cc;
  if (!config_.cluster_cidr.empty()) {
    cc.cluster_cidr = iptables::parse_cidr(config_.cluster_cidr);
    if (!cc.cluster_cidr) return invalid("--cluster-cidr: invalid CIDR \"" + config_.cluster_cidr + "\"");
  }
  for (const auto& a : config_.nodeport_addresses) {
    auto cidr = iptables::parse_cidr(a);
    if (!cidr) return invalid("--nodeport-addresses: invalid CIDR \"" + a + "\"");
    cc.nodeport_addresses.push_back(*cidr);
  }
  if (!config_.node_ip.empty()) {
    cc.node_ip = iptables::parse_ipv4(config_.node_ip);
    if (!cc.node_ip) return invalid("--node-ip: invalid IP \"" + config_.node_ip + "\"");
  }
  iptables_ = std::make_unique<iptables::KernelIptables>();
  tracker_ = std::make_unique<proxy::ChangeTracker>(config_.node_name);
  applier_ = std::make_unique<proxy::Applier>(*iptables_, cc);
  conntrack_ = proxy::make_netfilter_conntrack();
  proxy::RunnerConfig rc;
  rc.min_sync_period = std::chrono::milliseconds(config_.min_sync_period_ms);
  runner_ = std::make_unique<proxy::Runner>(*tracker_, *applier_, conntrack_.get(), rc);
  return ok_status();
}

void ServiceProxy::start_syncing() {
  std::lock_guard lock(mu_);
  if (runner_ && !syncing_) runner_->start();
  syncing_ = true;
}

void ServiceProxy::stop() {
  runner_.reset();  // the rules stay in the kernel, as with kube-proxy
}

void ServiceProxy::set_manifest_objects(const std::vector<kube::Service>& services,
                                        const std::vector<kube::EndpointSlice>& slices) {
  if (!tracker_) return;
  auto logger = log::get("proxy");
  std::lock_guard lock(mu_);
  // message "" = the object is fine now.
  auto report = [&](const std::string& object, const std::string& message) {
    if (message.empty()) {
      last_errors_.erase(object);
      return;
    }
    auto& last = last_errors_[object];
    if (last == message) return;
    last = message;
    logger->warn("{}: {}", object, message);
    if (on_problem_) on_problem_(object, message);
  };

  auto next_services = apply_changed(services, "service", services_, [&](const kube::Service& svc) -> Status {
    NA_ASSIGN_OR_RETURN(auto info, proxy::service_from_kube(svc));
    return tracker_->upsert_service(info);
  }, report);
  for (const auto& [key, text] : services_)
    if (!next_services.count(key)) {
      tracker_->delete_service(name_of(key));
      if (pod_slices_.erase(key)) tracker_->delete_endpoint_slice(name_of(key + "-nodeagent-pods"));
    }
  services_ = std::move(next_services);

  auto next_slices = apply_changed(slices, "endpointslice", slices_, [&](const kube::EndpointSlice& slice) -> Status {
    NA_ASSIGN_OR_RETURN(auto info, proxy::endpoint_slice_from_kube(slice));
    tracker_->upsert_endpoint_slice(info);
    return ok_status();
  }, report);
  for (const auto& [key, text] : slices_)
    if (!next_slices.count(key)) tracker_->delete_endpoint_slice(name_of(key));
  slices_ = std::move(next_slices);
  refresh_pod_endpoints_locked();
}

void ServiceProxy::set_pods(const std::vector<kube::Pod>& pods) {
  if (!tracker_) return;
  std::lock_guard lock(mu_);
  pods_ = pods;
  refresh_pod_endpoints_locked();
}

void ServiceProxy::refresh_pod_endpoints_locked() {
  std::vector<proxy::PodForEndpoints> pods;
  for (const auto& p : pods_) pods.push_back(for_endpoints(p));
  for (const auto& [name, svc] : tracker_->services()) {
    auto key = name.to_string();
    if (!services_.count(key) || svc.selector.empty()) continue;
    tracker_->upsert_endpoint_slice(proxy::endpoints_from_pods(svc, pods, config_.node_name));
    pod_slices_[key] = true;
  }
}

nlohmann::json ServiceProxy::services_json() const {
  nlohmann::json items = nlohmann::json::array();
  if (!tracker_) return {{"items", items}};
  for (const auto& row : proxy::services_table(tracker_->services(), tracker_->snapshot())) {
    items.push_back({{"namespace", row.ns},
                     {"name", row.name},
                     {"type", row.type},
                     {"clusterIP", row.cluster_ip},
                     {"externalIPs", row.external_ips},
                     {"ports", nlohmann::json::array({row.ports})},
                     {"endpoints", std::to_string(row.ready) + "/" + std::to_string(row.total)}});
  }
  return {{"kind", "List"}, {"apiVersion", "v1"}, {"items", items}};
}

Result<std::string> ServiceProxy::trace(const std::string& service, const std::string& port) const {
  if (!tracker_) return Error{ErrorCode::kFailedPrecondition, "the service proxy is not running"};
  auto ref = service.find('/') == std::string::npos ? "default/" + service : service;
  if (!port.empty()) ref += ":" + port;
  NA_ASSIGN_OR_RETURN(auto results, proxy::trace_service(*iptables_, tracker_->services(), ref));
  return proxy::format_trace(results);
}

}  // namespace nodeagent::daemon
