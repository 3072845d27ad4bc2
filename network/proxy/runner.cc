// Timeline of one Runner:
//   start ─► sync (full) ─► wait ─► change ─► (≥ min_sync_period since last) sync (partial)
//            │ failure ─► retry after min_sync_period, full        periodic tick ─► canary check
//                                                                 (full sync when full_sync_period is over)
#include "network/proxy/runner.h"

#include <ctime>

#include "util/log.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::network::proxy {

using Clock = std::chrono::steady_clock;

namespace {

// kube-proxy's sync metrics: the duration of every sync, the time of the last good one, and
// the rules per table (known after a full sync, which writes every chain).
void record_sync_metrics(const Result<ApplyStats>& result, bool full, double seconds) {
  metrics::proxy_sync_duration().observe({}, seconds);
  if (!result.ok()) return;
  metrics::proxy_sync_last_timestamp().set({}, static_cast<double>(std::time(nullptr)));
  if (full) {
    metrics::proxy_iptables_total().set({"nat"}, static_cast<double>(result->rules_per_table[0]));
    metrics::proxy_iptables_total().set({"filter"}, static_cast<double>(result->rules_per_table[1]));
    metrics::proxy_iptables_total().set({"mangle"}, static_cast<double>(result->rules_per_table[2]));
  }
}

}  // namespace

Runner::Runner(ChangeTracker& tracker, Applier& applier, Conntrack* conntrack, RunnerConfig config)
    : tracker_(tracker), applier_(applier), conntrack_(conntrack), config_(std::move(config)) {}

Runner::~Runner() { stop(); }

void Runner::start() {
  tracker_.set_on_change([this] { request_sync(); });
  thread_ = std::thread([this] { loop(); });
}

void Runner::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  tracker_.set_on_change(nullptr);
}

void Runner::request_sync() {
  {
    std::lock_guard lock(mu_);
    pending_ = true;
    if (!first_pending_) first_pending_ = Clock::now();
  }
  cv_.notify_all();
}

bool Runner::wait_synced(std::chrono::milliseconds timeout) {
  const uint64_t want = tracker_.generation();
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return status_.synced_generation >= want && status_.syncs > 0 && !pending_; });
}

RunnerStatus Runner::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void Runner::loop() {
  if (config_.thread_init) config_.thread_init();
  auto last_sync = Clock::now() - config_.min_sync_period;
  auto next_periodic = Clock::now() + config_.sync_period;
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto earliest = last_sync + config_.min_sync_period;
    if (pending_ && Clock::now() >= earliest) {
      pending_ = false;
      lock.unlock();
      sync_once(false);
      lock.lock();
      last_sync = Clock::now();
      cv_.notify_all();
      continue;
    }
    if (Clock::now() >= next_periodic) {
      next_periodic = Clock::now() + config_.sync_period;
      lock.unlock();
      sync_once(true);
      lock.lock();
      last_sync = Clock::now();
      cv_.notify_all();
      continue;
    }
    cv_.wait_until(lock, pending_ ? std::min(earliest, next_periodic) : next_periodic);
  }
}

void Runner::sync_once(bool periodic) {
  auto log = log::get("proxy");
  bool full;
  {
    std::lock_guard lock(mu_);
    full = full_next_ || Clock::now() - last_full_sync_ >= config_.full_sync_period;
  }
  if (!full) {
    auto missing = applier_.canary_missing();
    if (!missing.ok() || *missing) {
      log->warn("proxy: canary chain missing from mangle (tables flushed?): full resync");
      full = true;
    }
  }
  if (periodic && !full) return;  // nothing changed and the canary is in place

  const uint64_t generation = tracker_.generation();
  ProxyState state = tracker_.snapshot();
  const auto started = Clock::now();
  auto result = applier_.apply(state, full);
  record_sync_metrics(result, full, std::chrono::duration<double>(Clock::now() - started).count());
  if (config_.on_synced) config_.on_synced(state, result.ok());

  std::lock_guard lock(mu_);
  ++status_.syncs;
  if (result.ok() && first_pending_) {
    metrics::proxy_network_programming().observe({}, std::chrono::duration<double>(Clock::now() - *first_pending_).count());
    first_pending_.reset();
  }
  if (!result.ok()) {
    ++status_.failures;
    status_.last_error = result.error().message;
    full_next_ = true;
    pending_ = true;  // retried after min_sync_period
    log->error("proxy: sync failed, previous rules stay in place; retrying as a full sync: {}", result.error().message);
    return;
  }
  status_.last = *result;
  status_.synced_generation = generation;
  status_.last_error.clear();
  full_next_ = false;
  if (full) last_full_sync_ = Clock::now();
  if (conntrack_) {
    auto flows = stale_udp_flows(last_state_, state);
    if (!flows.empty()) {
      auto deleted = conntrack_->delete_flows(flows);
      if (!deleted.ok()) log->warn("proxy: conntrack cleanup: {}", deleted.error().message);
      else log->debug("proxy: deleted {} stale UDP conntrack entries", *deleted);
    }
  }
  last_state_ = std::move(state);
}

}  // namespace nodeagent::network::proxy
