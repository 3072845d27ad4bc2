// ServiceProxy: the proxy's parts, the input queue and its loop, the nodectl views.
#include "agent/services/service_proxy.h"

#include "network/iptables/kernel_table.h"
#include "network/proxy/applier.h"
#include "network/proxy/change_tracker.h"
#include "network/proxy/conntrack.h"
#include "network/proxy/runner.h"
#include "network/proxy/services_table.h"
#include "network/proxy/tracer.h"

namespace nodeagent::services {

ServiceProxy::ServiceProxy(ServiceProxyConfig config, ProblemFn on_problem,
                           std::unique_ptr<network::iptables::Iptables> iptables)
    : config_(std::move(config)),
      on_problem_(std::move(on_problem)),
      iptables_(std::move(iptables)),
      fake_iptables_(iptables_ != nullptr) {}

ServiceProxy::~ServiceProxy() { stop(); }

Status ServiceProxy::start() {
  if (thread_.joinable()) return ok_status();
  network::proxy::CompilerConfig cc;
  if (!config_.cluster_cidr.empty()) {
    cc.cluster_cidr = network::iptables::parse_cidr(config_.cluster_cidr);
    if (!cc.cluster_cidr) return invalid("--cluster-cidr: invalid CIDR \"" + config_.cluster_cidr + "\"");
  }
  for (const auto& a : config_.nodeport_addresses) {
    auto cidr = network::iptables::parse_cidr(a);
    if (!cidr) return invalid("--nodeport-addresses: invalid CIDR \"" + a + "\"");
    cc.nodeport_addresses.push_back(*cidr);
  }
  if (!config_.node_ip.empty()) {
    cc.node_ip = network::iptables::parse_ipv4(config_.node_ip);
    if (!cc.node_ip) return invalid("--node-ip: invalid IP \"" + config_.node_ip + "\"");
  }
  if (!iptables_) iptables_ = std::make_unique<network::iptables::KernelIptables>();
  tracker_ = std::make_unique<network::proxy::ChangeTracker>(config_.node_name);
  applier_ = std::make_unique<network::proxy::Applier>(*iptables_, cc);
  if (!fake_iptables_) conntrack_ = network::proxy::make_netfilter_conntrack();
  network::proxy::RunnerConfig rc;
  rc.min_sync_period = std::chrono::milliseconds(config_.min_sync_period_ms);
  rc.on_synced = config_.on_synced;
  runner_ = std::make_unique<network::proxy::Runner>(*tracker_, *applier_, conntrack_.get(), rc);
  state_ = std::make_unique<ServiceState>(*tracker_, config_.node_name, on_problem_);
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
  return ok_status();
}

void ServiceProxy::start_syncing() {
  // The refresh first: the endpoints of the pods posted before must be in the tracker when the
  // first sync runs (else it would REJECT their Services for a moment).
  post([this](ServiceState& state) {
    state.refresh();
    runner_->start();
  });
}

void ServiceProxy::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
    applied_ = posted_;  // dropped: nobody waits for them
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  runner_.reset();  // the rules stay in the kernel, as with kube-proxy
}

void ServiceProxy::post(Op op) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(op));
    ++posted_;
  }
  cv_.notify_one();
}

void ServiceProxy::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // The whole batch at once: a burst of pod status changes costs one endpoint recomputation.
    std::deque<Op> batch;
    batch.swap(queue_);
    lock.unlock();
    for (auto& op : batch) op(*state_);
    state_->refresh();
    lock.lock();
    applied_ += batch.size();
    idle_cv_.notify_all();
  }
}

bool ServiceProxy::flush() {
  std::unique_lock lock(mu_);
  if (!thread_.joinable() || stopping_) return false;
  const uint64_t target = posted_;
  idle_cv_.wait(lock, [&] { return stopping_ || applied_ >= target; });
  return !stopping_;
}

void ServiceProxy::upsert_service(const kube::Service& service) {
  post([service](ServiceState& s) { s.upsert_service(service); });
}
void ServiceProxy::delete_service(const std::string& ns, const std::string& name) {
  post([ns, name](ServiceState& s) { s.delete_service(ns, name); });
}
void ServiceProxy::upsert_endpoint_slice(const kube::EndpointSlice& slice) {
  post([slice](ServiceState& s) { s.upsert_endpoint_slice(slice); });
}
void ServiceProxy::delete_endpoint_slice(const std::string& ns, const std::string& name) {
  post([ns, name](ServiceState& s) { s.delete_endpoint_slice(ns, name); });
}
void ServiceProxy::upsert_pod(const kube::Pod& pod) {
  post([pod](ServiceState& s) { s.upsert_pod(pod); });
}
void ServiceProxy::delete_pod(const std::string& uid) {
  post([uid](ServiceState& s) { s.delete_pod(uid); });
}

nlohmann::json ServiceProxy::services_json() const {
  nlohmann::json items = nlohmann::json::array();
  if (!tracker_) return {{"items", items}};
  for (const auto& row : network::proxy::services_table(tracker_->services(), tracker_->snapshot())) {
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
  NA_ASSIGN_OR_RETURN(auto results, network::proxy::trace_service(*iptables_, tracker_->services(), ref));
  return network::proxy::format_trace(results);
}

}  // namespace nodeagent::services
