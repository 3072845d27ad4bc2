#include "agent/pods/backoff.h"

#include <algorithm>

namespace nodeagent::pods {

Backoff::Backoff(const Clock& clock, Duration initial, Duration max) : clock_(clock), initial_(initial), max_(max) {}

bool Backoff::in_backoff(const std::string& key, Clock::TimePoint since) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  // An entry idle for longer than 2*max has expired: the container ran cleanly long enough.
  if (clock_.now() - it->second.last_update > 2 * max_) return false;
  return clock_.now() - since < it->second.delay;
}

bool Backoff::in_backoff_since_update(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  auto since_update = clock_.now() - it->second.last_update;
  if (since_update > 2 * max_) return false;
  return since_update < it->second.delay;
}

void Backoff::next(const std::string& key, Clock::TimePoint /*since*/) {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  auto& e = entries_[key];
  if (e.delay == Duration(0) || now - e.last_update > 2 * max_) {
    e.delay = initial_;
  } else {
    e.delay = std::min(e.delay * 2, max_);
  }
  e.last_update = now;
}

Backoff::Duration Backoff::delay(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || clock_.now() - it->second.last_update > 2 * max_) return Duration(0);
  return it->second.delay;
}

void Backoff::gc() {
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_update > 2 * max_; });
}

void Backoff::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void Backoff::reset_prefix(const std::string& prefix) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.first.rfind(prefix, 0) == 0; });
}

}  // namespace nodeagent::pods
