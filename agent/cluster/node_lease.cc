// The node's Lease (see node_lease.h).
#include "agent/cluster/node_lease.h"

#include <algorithm>

#include "agent/cluster/who_am_i.h"
#include "kube/time.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

using nlohmann::json;

constexpr const char* kLeaseNamespace = "kube-node-lease";

}  // namespace

NodeLease::NodeLease(ClusterContext context, NodeLeaseOptions options)
    : context_(std::move(context)), options_(options) {}

NodeLease::~NodeLease() { stop(); }

std::string NodeLease::path(const std::string& node_name) {
  return std::string("/apis/coordination.k8s.io/v1/namespaces/") + kLeaseNamespace + "/leases" +
         (node_name.empty() ? "" : "/" + node_name);
}

std::chrono::milliseconds NodeLease::renew_interval() const {
  return std::chrono::milliseconds(static_cast<int64_t>(options_.lease_duration_seconds * 1000 * options_.renew_fraction));
}

nlohmann::json NodeLease::lease() const {
  std::lock_guard lock(mu_);
  return latest_;
}

std::optional<kube::Time> NodeLease::last_renewed() const {
  std::lock_guard lock(mu_);
  return last_renewed_;
}

void NodeLease::set_owner(nlohmann::json& lease) {
  auto& meta = lease["metadata"];
  if (meta.contains("ownerReferences") && meta["ownerReferences"].is_array() && !meta["ownerReferences"].empty()) return;
  // Until the Node exists the Lease has no owner; a later renewal adds it (kubelet's
  // setNodeOwnerFunc).
  auto node = context_.client->get("/api/v1/nodes/" + context_.node_name);
  if (!node.ok()) return;
  const std::string uid = (*node)["metadata"].value("uid", "");
  if (uid.empty()) return;
  meta["ownerReferences"] = json::array({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", context_.node_name}, {"uid", uid}}});
}

nlohmann::json NodeLease::with_renew_time(nlohmann::json base) {
  if (base.is_null()) {
    base = {{"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", {{"name", context_.node_name}, {"namespace", kLeaseNamespace}}},
            {"spec", {{"holderIdentity", context_.node_name}, {"leaseDurationSeconds", options_.lease_duration_seconds}}}};
  }
  base["spec"]["renewTime"] = kube::format_micro_time(context_.clock->now());
  set_owner(base);
  return base;
}

Result<NodeLease::Ensured> NodeLease::ensure() {
  auto got = context_.client->get(path(context_.node_name));
  if (got.ok()) return Ensured{std::move(got).value(), false};
  if (got.error().code != ErrorCode::kNotFound) return got.error();
  const json fresh = with_renew_time(nullptr);
  auto made = context_.client->create(path(""), fresh);
  if (!made.ok()) return made.error();
  std::lock_guard lock(mu_);
  latest_ = *made;
  last_renewed_ = kube::parse_time(fresh["spec"]["renewTime"].get<std::string>()).value();
  return Ensured{*made, true};
}

Status NodeLease::renew() {
  const std::string what = "node lease " + context_.node_name;
  json base = lease();
  if (base.is_null()) {
    auto ensured = ensure();
    if (!ensured.ok()) return with_identity(*context_.client, ensured.error(), what);
    if (ensured->created) return ok_status();
    base = std::move(ensured->lease);
  }
  Error last{ErrorCode::kInternal, "no attempt"};
  for (int attempt = 0; attempt < options_.max_update_retries; ++attempt) {
    const json body = with_renew_time(base);
    auto put = context_.client->replace(path(context_.node_name), body);
    if (put.ok()) {
      std::lock_guard lock(mu_);
      latest_ = *put;
      last_renewed_ = kube::parse_time(body["spec"]["renewTime"].get<std::string>()).value();
      return ok_status();
    }
    last = put.error();
    if (last.code == ErrorCode::kConflict || last.code == ErrorCode::kNotFound) {
      // Someone else wrote it (or deleted it): work from the API server's copy.
      auto ensured = ensure();
      if (!ensured.ok()) return with_identity(*context_.client, ensured.error(), what);
      if (ensured->created) return ok_status();
      base = std::move(ensured->lease);
    }
  }
  {
    // The next renewal starts from a fresh read.
    std::lock_guard lock(mu_);
    latest_ = nullptr;
  }
  return with_identity(*context_.client, last, what + ": " + std::to_string(options_.max_update_retries) + " attempts failed");
}

bool NodeLease::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void NodeLease::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void NodeLease::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NodeLease::run() {
  auto logger = log::get("cluster");
  const auto interval = renew_interval();
  const auto max_backoff = std::min(options_.max_backoff, interval);
  auto backoff = options_.initial_backoff;
  while (!stopping_) {
    auto st = renew();
    if (st.ok()) {
      backoff = options_.initial_backoff;
      if (!sleep_for(interval)) break;
      continue;
    }
    backoff = std::min(max_backoff, backoff * 2);
    logger->warn("node={} {}; retrying in {} ms", context_.node_name, st.error().message, backoff.count());
    if (!sleep_for(backoff)) break;
  }
}

}  // namespace nodeagent::cluster
