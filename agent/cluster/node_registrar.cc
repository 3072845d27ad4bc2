// Node registration and status reports (see node_registrar.h).
#include "agent/cluster/node_registrar.h"

#include "agent/cluster/who_am_i.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

using nlohmann::json;

// resourceVersions are opaque, but etcd's are integers: a copy older than the one held is not
// taken. Anything that does not parse is taken.
bool is_older(const json& candidate, const json& held) {
  auto rv = [](const json& n) -> std::optional<unsigned long long> {
    if (!n.is_object() || !n.contains("metadata")) return std::nullopt;
    const std::string s = n["metadata"].value("resourceVersion", "");
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(s);
  };
  auto a = rv(candidate), b = rv(held);
  return a && b && *a < *b;
}

bool refused(const Error& e) { return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied; }

}  // namespace

std::string node_pod_cidr(const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("spec") || !node["spec"].is_object()) return "";
  const json& spec = node["spec"];
  if (spec.contains("podCIDRs") && spec["podCIDRs"].is_array())
    for (const auto& c : spec["podCIDRs"])
      if (c.is_string() && c.get<std::string>().find(':') == std::string::npos) return c.get<std::string>();
  const std::string single = spec.value("podCIDR", "");
  return single.find(':') == std::string::npos ? single : "";
}

NodeStatusReporter::NodeStatusReporter(ClusterContext context, NodeFacts facts, HealthFn health, ImagesFn images,
                                       NodeStatusOptions options, EventFn on_event)
    : context_(std::move(context)),
      facts_(std::move(facts)),
      health_(std::move(health)),
      images_(std::move(images)),
      options_(options),
      on_event_(std::move(on_event)) {}

NodeStatusReporter::~NodeStatusReporter() { stop(); }

Error NodeStatusReporter::identity_error(const Error& e, const std::string& what) const {
  return with_identity(*context_.client, e, what);
}

void NodeStatusReporter::remember(const nlohmann::json& node) {
  {
    std::lock_guard lock(mu_);
    if (!node_.is_null() && is_older(node, node_)) return;
    node_ = node;
  }
  cv_.notify_all();
}

void NodeStatusReporter::observe_node(const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("metadata") || node["metadata"].value("name", "") != facts_.name) return;
  remember(node);
}

nlohmann::json NodeStatusReporter::node() const {
  std::lock_guard lock(mu_);
  return node_;
}

std::string NodeStatusReporter::node_uid() const {
  std::lock_guard lock(mu_);
  return node_.is_object() && node_.contains("metadata") ? node_["metadata"].value("uid", "") : "";
}

std::optional<std::string> NodeStatusReporter::pod_cidr() const {
  std::lock_guard lock(mu_);
  std::string cidr = node_pod_cidr(node_);
  if (cidr.empty()) return std::nullopt;
  return cidr;
}

NodeFacts NodeStatusReporter::current_facts() {
  NodeFacts f = facts_;
  if (images_) {
    auto listed = images_();
    if (listed.ok()) last_images_ = node_images(std::move(listed).value(), options_.max_images);
    else log::get("cluster")->warn("node={} listing images for the node status: {}", facts_.name, listed.error().message);
  }
  f.images = last_images_;
  return f;
}

Status NodeStatusReporter::register_node() {
  const std::string what = "register node " + facts_.name;
  const NodeFacts facts = current_facts();
  const NodeHealth health = health_ ? health_() : NodeHealth{};
  const auto now = context_.clock->now();
  auto made = context_.client->create("/api/v1/nodes", node_for_registration(facts, health, now));
  if (made.ok()) {
    remember(*made);
    registered_ = true;
    log::get("cluster")->info("node={} registered", facts_.name);
    // The first conditions' events (NodeHasSufficientMemory, ...), as kubelet's initialNode makes them.
    if (on_event_)
      for (const auto& e : node_status(facts, health, json::object(), now).events) on_event_(e);
    return ok_status();
  }
  if (made.error().code != ErrorCode::kAlreadyExists) return identity_error(made.error(), what);

  // Registered before (an agent restart): keep the Node, reconcile what kubelet owns.
  auto existing = context_.client->get("/api/v1/nodes/" + facts_.name);
  if (!existing.ok()) return identity_error(existing.error(), what);
  const json patch = reconcile_existing_node(facts_, *existing);
  if (!patch.empty()) {
    auto patched = context_.client->patch("/api/v1/nodes/" + facts_.name + "/status", patch,
                                          kube::client::PatchType::kStrategicMerge);
    if (!patched.ok()) return identity_error(patched.error(), what);
    remember(*patched);
  } else {
    remember(*existing);
  }
  registered_ = true;
  log::get("cluster")->info("node={} was registered before; reconciled", facts_.name);
  return ok_status();
}

Status NodeStatusReporter::refresh_node() {
  auto got = context_.client->get("/api/v1/nodes/" + facts_.name);
  if (!got.ok()) return got.error();
  remember(*got);
  return ok_status();
}

Status NodeStatusReporter::sync_status() {
  const NodeFacts facts = current_facts();
  const NodeHealth health = health_ ? health_() : NodeHealth{};
  const std::string path = "/api/v1/nodes/" + facts_.name + "/status";
  Error last{ErrorCode::kInternal, "no attempt"};
  for (int attempt = 0; attempt < options_.update_retries; ++attempt) {
    // The first attempt works from the copy held (the watch keeps it fresh); every retry reads
    // the Node again, as kubelet's tryUpdateNodeStatus does (a 401 or 403 ends the round).
    if (attempt > 0 || node().is_null()) {
      if (auto st = refresh_node(); !st.ok()) {
        last = st.error();
        if (last.code == ErrorCode::kNotFound) registered_ = false;  // deleted: register it again
        if (refused(last)) break;
        continue;
      }
    }
    const json base = node();
    const json old_status = base.value("status", json::object());
    const auto now = context_.clock->now();
    NodeStatusUpdate update = node_status(facts, health, old_status, now);
    const bool due = !last_report_ || now - *last_report_ >= options_.report_frequency;
    if (!node_status_changed(old_status, update.status) && !due) return ok_status();

    auto patched = context_.client->patch(path, node_status_patch(old_status, update.status),
                                          kube::client::PatchType::kStrategicMerge);
    if (patched.ok()) {
      remember(*patched);
      last_report_ = now;
      if (on_event_)
        for (const auto& e : update.events) on_event_(e);
      return ok_status();
    }
    last = patched.error();
    if (last.code == ErrorCode::kNotFound) registered_ = false;
    log::get("cluster")->warn("node={} status update (attempt {}): {}", facts_.name, attempt + 1, last.message);
    if (refused(last)) break;  // the same identity will be refused again
  }
  return identity_error(last, "update status of node " + facts_.name);
}

bool NodeStatusReporter::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void NodeStatusReporter::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  if (options_.watch_own_node && !own_node_watch_) {
    kube::client::ReflectorOptions ro;
    ro.what = "node " + facts_.name;
    ro.path = "/api/v1/nodes";
    ro.field_selector = "metadata.name=" + facts_.name;
    // Back soon after an API server outage: until the watch resumes, the copy held misses what
    // the node lifecycle controller wrote meanwhile (Ready Unknown), and no status is sent to
    // correct it. Refused connections are cheap to retry.
    ro.max_backoff = std::chrono::milliseconds(5'000);
    own_node_watch_ = std::make_unique<kube::client::Reflector>(
        *context_.client, ro, [this](const kube::client::ObjectMap& objects, bool) {
          if (auto it = objects.find(facts_.name); it != objects.end()) observe_node(it->second);
        });
  }
  if (own_node_watch_) own_node_watch_->start();
  thread_ = std::thread([this] { run(); });
}

void NodeStatusReporter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (own_node_watch_) own_node_watch_->stop();
}

void NodeStatusReporter::run() {
  auto logger = log::get("cluster");
  auto backoff = options_.register_initial_backoff;
  while (!stopping_) {
    if (!registered_ && options_.register_node) {
      if (auto st = register_node(); !st.ok()) {
        logger->warn("node={} {}; retrying in {} ms", facts_.name, st.error().message, backoff.count());
        if (!sleep_for(backoff)) break;
        backoff = std::min(options_.register_max_backoff, backoff * 2);
        continue;
      }
      backoff = options_.register_initial_backoff;
    }
    if (auto st = sync_status(); !st.ok()) logger->warn("node={} {}", facts_.name, st.error().message);
    if (!sleep_for(options_.update_frequency)) break;
  }
}

Result<std::string> NodeStatusReporter::wait_for_pod_cidr(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const bool watching = own_node_watch_ && thread_.joinable();
  while (true) {
    if (auto cidr = pod_cidr()) return *cidr;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      return Error{ErrorCode::kDeadlineExceeded,
                   "node " + facts_.name + ": no spec.podCIDR after " + std::to_string(timeout.count()) +
                       " ms (is kube-controller-manager running with --allocate-node-cidrs?)"};
    const auto step = std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::seconds(1));
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, step, [this] { return stopping_.load() || !node_pod_cidr(node_).empty(); });
      if (stopping_) return unavailable("node " + facts_.name + ": stopped while waiting for spec.podCIDR");
    }
    if (!watching && registered_) refresh_node().ignore_error();
  }
}

}  // namespace nodeagent::cluster
