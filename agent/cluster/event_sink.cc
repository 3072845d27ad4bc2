#include "agent/cluster/event_sink.h"

#include <algorithm>

#include "kube/encode.h"
#include "kube/time.h"
#include "util/log.h"

namespace nodeagent::cluster {

EventSink::EventSink(ClusterContext context, EventSinkOptions options)
    : context_(std::move(context)), options_(options) {}

EventSink::~EventSink() { stop(); }

void EventSink::post(const kube::Event& event) {
  {
    std::lock_guard lock(mu_);
    if (!allow(event)) {
      ++dropped_;
      return;
    }
    // An aggregated event replaces its queued earlier self: only the newest count matters (one
    // never created yet is PATCHed, found missing and POSTed with the full count).
    auto same = std::find_if(queue_.begin(), queue_.end(), [&](const kube::Event& e) {
      return e.metadata.name == event.metadata.name && e.metadata.namespace_ == event.metadata.namespace_;
    });
    if (same != queue_.end()) {
      *same = event;
    } else {
      if (queue_.size() >= options_.capacity) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(event);
    }
  }
  cv_.notify_one();
}

bool EventSink::allow(const kube::Event& event) {
  const auto& o = event.involved_object;
  std::string key = o.uid.empty() ? o.kind + "/" + o.namespace_ + "/" + o.name : o.uid;
  key += "/" + event.source.component + "/" + event.reason;
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(options_.burst), now});
  auto& b = it->second;
  if (!fresh) {
    double per_second = 1.0 / std::max<double>(1, static_cast<double>(options_.refill.count()));
    b.tokens = std::min<double>(options_.burst, b.tokens + std::chrono::duration<double>(now - b.last).count() * per_second);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  if (buckets_.size() > 4096) buckets_.erase(buckets_.begin());  // bounded: forget some old objects
  return true;
}

Status EventSink::send(const kube::Event& event) {
  const std::string ns = event.metadata.namespace_.empty() ? "default" : event.metadata.namespace_;
  auto body = kube::encode(event);
  if (event.count > 1) {
    nlohmann::json patch = {{"count", event.count}};
    if (event.last_timestamp) patch["lastTimestamp"] = kube::format_time(*event.last_timestamp);
    auto done = context_.client->patch(namespaced_path(ns, "events", event.metadata.name), patch,
                                       kube::client::PatchType::kStrategicMerge);
    if (done.ok() || done.error().code != ErrorCode::kNotFound) return done.ok() ? ok_status() : Status(done.error());
  }
  auto made = context_.client->create(namespaced_path(ns, "events"), body);
  if (made.ok() || made.error().code == ErrorCode::kAlreadyExists) return ok_status();
  return made.error();
}

int EventSink::flush() {
  int sent = 0;
  for (;;) {
    kube::Event e;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || stopping_) return sent;
      e = queue_.front();
      queue_.pop_front();
    }
    auto st = send(e);
    if (st.ok()) {
      ++sent;
      continue;
    }
    auto code = st.error().code;
    if (code == ErrorCode::kUnavailable || code == ErrorCode::kDeadlineExceeded) {
      std::lock_guard lock(mu_);
      queue_.push_front(e);  // the API server is away: keep it, in order
      return sent;
    }
    // Refused for good (e.g. its namespace is gone): client-go drops those too.
    log::get("cluster")->debug("event {}/{} not sent: {}", e.metadata.namespace_, e.metadata.name, st.error().message);
  }
}

void EventSink::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void EventSink::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t EventSink::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void EventSink::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    lock.unlock();
    flush();
    lock.lock();
    // Still something queued: the API server is away; wait before trying again.
    if (!queue_.empty()) cv_.wait_for(lock, options_.retry, [this] { return stopping_; });
  }
}

}  // namespace nodeagent::cluster
