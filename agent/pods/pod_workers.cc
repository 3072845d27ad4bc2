#include "agent/pods/pod_workers.h"

#include <algorithm>

#include "util/log.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::pods {

namespace {
constexpr auto kTerminateRetry = std::chrono::seconds(2);
}

PodWorkers::PodWorkers(PodSyncHandler& handler, int threads) : handler_(handler) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run_thread(); });
  timer_ = std::thread([this] { timer_thread(); });
}

PodWorkers::~PodWorkers() { stop(); }

void PodWorkers::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  timer_cv_.notify_all();
  for (auto& t : threads_) t.join();
  if (timer_.joinable()) timer_.join();
}

void PodWorkers::enqueue_locked(const std::string& uid, Work work) {
  auto& w = workers_[uid];
  // Termination outranks sync: once asked to terminate, a pending sync is dropped.
  if (w.pending != Work::kTerminate) w.pending = work;
  if (!w.running && std::find(ready_.begin(), ready_.end(), uid) == ready_.end()) {
    ready_.push_back(uid);
    cv_.notify_one();
  }
}

void PodWorkers::update(const PodPtr& pod) {
  std::lock_guard lock(mu_);
  const auto& uid = pod->metadata.uid;
  auto it = workers_.find(uid);
  if (it != workers_.end() && it->second.state != WorkerState::kSyncing) {
    it->second.restart_with = pod;  // started again once termination is over
    return;
  }
  workers_[uid].pod = pod;
  enqueue_locked(uid, Work::kSync);
}

void PodWorkers::terminate(const PodPtr& pod) {
  std::lock_guard lock(mu_);
  const auto& uid = pod->metadata.uid;
  if (workers_.count(uid)) return;
  auto& w = workers_[uid];
  w.pod = pod;
  w.state = WorkerState::kTerminating;
  enqueue_locked(uid, Work::kTerminate);
}

void PodWorkers::kill(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  it->second.restart_with.reset();
  if (it->second.state == WorkerState::kSyncing) it->second.state = WorkerState::kTerminating;
  enqueue_locked(uid, Work::kTerminate);
}

void PodWorkers::wake(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  enqueue_locked(uid, it->second.state == WorkerState::kSyncing ? Work::kSync : Work::kTerminate);
}

void PodWorkers::set_on_terminated(std::function<void(const std::string&)> fn) {
  std::lock_guard lock(mu_);
  on_terminated_ = std::move(fn);
}

void PodWorkers::wake_all() {
  std::lock_guard lock(mu_);
  for (auto& [uid, w] : workers_)
    if (w.state == WorkerState::kSyncing) enqueue_locked(uid, Work::kSync);
}

void PodWorkers::schedule(const std::string& uid, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  timers_.emplace(std::chrono::steady_clock::now() + delay, uid);
  timer_cv_.notify_one();
}

std::optional<WorkerState> PodWorkers::state(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return std::nullopt;
  return it->second.state;
}

std::vector<std::string> PodWorkers::uids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [uid, w] : workers_) out.push_back(uid);
  return out;
}

void PodWorkers::wait_idle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return stopping_ || (ready_.empty() && running_ == 0); });
}

void PodWorkers::run_thread() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    auto uid = ready_.front();
    ready_.pop_front();
    auto it = workers_.find(uid);
    if (it == workers_.end() || it->second.pending == Work::kNone || it->second.running) {
      if (ready_.empty() && running_ == 0) idle_cv_.notify_all();
      continue;
    }
    Work work = it->second.pending;
    it->second.pending = Work::kNone;
    it->second.running = true;
    PodPtr pod = it->second.pod;
    ++running_;
    lock.unlock();
    run_one(uid, work, pod);
    lock.lock();
    --running_;
    it = workers_.find(uid);
    if (it != workers_.end()) {
      it->second.running = false;
      if (it->second.pending != Work::kNone && std::find(ready_.begin(), ready_.end(), uid) == ready_.end()) {
        ready_.push_back(uid);
        cv_.notify_one();
      }
    }
    if (ready_.empty() && running_ == 0) idle_cv_.notify_all();
  }
}

void PodWorkers::run_one(const std::string& uid, Work work, const PodPtr& pod) {
  auto logger = log::get("pods");
  if (work == Work::kSync) {
    SyncResult result;
    const auto started = std::chrono::steady_clock::now();
    try {
      result = handler_.sync_pod(pod);
      // kubelet_pod_worker_duration_seconds: "create" for a pod's first sync, "sync" after.
      bool first;
      {
        std::lock_guard lock(mu_);
        first = synced_once_.insert(uid).second;
      }
      metrics::pod_worker_duration().observe(
          {first ? "create" : "sync"}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    } catch (const std::exception& e) {  // a bug in one pod's sync must not take the agent down
      logger->error("sync panicked pod={}/{} uid={}: {}", pod->metadata.namespace_, pod->metadata.name, uid, e.what());
      result.requeue_after = std::chrono::seconds(10);
    }
    if (result.requeue_after) schedule(uid, *result.requeue_after);
    return;
  }
  // Terminate, step by step, then clean up; both retried until they succeed.
  auto progress = handler_.terminate_pod(pod);
  if (progress.ok() && !progress->done) {
    std::lock_guard lock(mu_);
    timers_.emplace(std::chrono::steady_clock::now() + progress->retry_after, uid);
    timer_cv_.notify_one();
    return;
  }
  Status st = progress.ok() ? handler_.cleanup_pod(pod) : Status(progress.error());
  std::function<void(const std::string&)> notify;
  {
    std::lock_guard lock(mu_);
    if (!finish_termination_locked(uid, st)) return;
    synced_once_.erase(uid);
    notify = on_terminated_;
  }
  if (notify) notify(uid);
}

bool PodWorkers::finish_termination_locked(const std::string& uid, const Status& st) {
  auto logger = log::get("pods");
  auto it = workers_.find(uid);
  if (it == workers_.end()) return false;
  const auto& pod = it->second.pod;
  if (!st.ok()) {
    logger->warn("terminating pod={}/{} uid={} failed, retrying: {}", pod->metadata.namespace_, pod->metadata.name, uid,
                 st.error().message);
    timers_.emplace(std::chrono::steady_clock::now() + kTerminateRetry, uid);
    timer_cv_.notify_one();  // the timer re-enqueues the termination
    return false;
  }
  if (it->second.restart_with) {
    auto again = it->second.restart_with;
    it->second = Worker{};
    it->second.pod = again;
    enqueue_locked(uid, Work::kSync);
    return false;
  }
  workers_.erase(it);
  return true;
}

void PodWorkers::timer_thread() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto when = timers_.top().first;
    std::string uid;
    timer_cv_.wait_until(lock, when);
    if (stopping_) return;
    if (timers_.empty() || timers_.top().first > std::chrono::steady_clock::now()) continue;
    uid = timers_.top().second;
    timers_.pop();
    auto it = workers_.find(uid);
    if (it == workers_.end()) continue;
    if (it->second.state == WorkerState::kSyncing) {
      enqueue_locked(uid, Work::kSync);
    } else if (it->second.state == WorkerState::kTerminating) {
      enqueue_locked(uid, Work::kTerminate);
    }
  }
}

}  // namespace nodeagent::pods
