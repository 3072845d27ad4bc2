// The pod lifecycle event generator (see pleg.h).
#include "agent/pleg/pleg.h"

#include "util/log.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::pleg {

std::set<std::string> changed_pods(const Relist& before, const Relist& after) {
  std::set<std::string> pods;
  for (const auto& [id, now] : after) {
    auto it = before.find(id);
    if (it == before.end() || !(it->second == now)) pods.insert(now.pod_uid);
  }
  for (const auto& [id, then] : before)
    if (!after.count(id)) pods.insert(then.pod_uid);
  pods.erase("");
  return pods;
}

Pleg::Pleg(runtime::ContainerService& containers, PodWaker& waker, PlegOptions options)
    : containers_(containers), waker_(waker), options_(std::move(options)) {}

Pleg::~Pleg() { stop(); }

void Pleg::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Pleg::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Pleg::on_container_event(const std::string& container_id) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(container_id);
  }
  cv_.notify_one();
}

void Pleg::process_events() {
  std::deque<std::string> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(queue_);
  }
  std::set<std::string> uids;
  for (const auto& id : batch) {
    auto st = containers_.container_status(id);
    if (!st.ok()) continue;  // deleted meanwhile: the relist notices what that changed
    auto it = st->labels.find(options_.pod_uid_label);
    if (it != st->labels.end()) uids.insert(it->second);
  }
  for (const auto& uid : uids) waker_.wake(uid);
}

Status Pleg::relist() {
  const auto started = std::chrono::steady_clock::now();
  if (last_relist_start_) metrics::pleg_relist_interval().observe({}, std::chrono::duration<double>(started - *last_relist_start_).count());
  last_relist_start_ = started;
  NA_ASSIGN_OR_RETURN(auto listed, containers_.list_containers(options_.selector));
  metrics::pleg_relist_duration().observe({}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  Relist now;
  for (const auto& c : listed) {
    auto it = c.labels.find(options_.pod_uid_label);
    now[c.id] = ContainerRecord{it == c.labels.end() ? "" : it->second, c.state, c.pid};
  }
  std::set<std::string> changed;
  {
    std::lock_guard lock(relist_mu_);
    if (have_baseline_) changed = changed_pods(last_, now);
    last_ = std::move(now);
    have_baseline_ = true;
  }
  for (const auto& uid : changed) waker_.wake(uid);
  return ok_status();
}

void Pleg::loop() {
  using clock = std::chrono::steady_clock;
  auto next_relist = clock::now();
  auto next_resync = clock::now() + options_.resync_period;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_until(lock, std::min(next_relist, next_resync), [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    lock.unlock();
    process_events();
    const auto now = clock::now();
    if (now >= next_relist) {
      if (auto st = relist(); !st.ok()) log::get("pleg")->warn("relist: {}", st.error().message);
      next_relist = now + options_.relist_period;
    }
    if (now >= next_resync) {
      waker_.wake_all();
      next_resync = now + options_.resync_period;
    }
    lock.lock();
  }
}

}  // namespace nodeagent::pleg
