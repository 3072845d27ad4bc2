// Crash-loop and image-pull back-off, as kubelet's flowcontrol.Backoff: per key (pod uid +
// container name), the first retry is immediate, then 10 s, 20 s, 40 s ... capped at 300 s. An
// entry untouched for twice the cap (10 min of clean running) is forgotten, so the next crash
// starts over at 10 s.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "util/clock.h"

namespace nodeagent::pods {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  Backoff(const Clock& clock, Duration initial = std::chrono::seconds(10), Duration max = std::chrono::seconds(300));

  // Whether `key` may not be retried yet, measured from `since` (when the last attempt ended).
  bool in_backoff(const std::string& key, Clock::TimePoint since) const;
  // Whether `key` may not be retried yet, measured from its last next() (kubelet's
  // IsInBackOffSinceUpdate): for retries with no end time of their own (image pulls, sandboxes).
  bool in_backoff_since_update(const std::string& key) const;
  // Records a retry: the first call for a key sets the initial delay, later calls double it.
  void next(const std::string& key, Clock::TimePoint since);
  // The delay currently applied to `key` (0 if none).
  Duration delay(const std::string& key) const;
  // Forgets entries idle for more than 2 * max; call periodically.
  void gc();
  void reset(const std::string& key);
  // Forgets every key that starts with `prefix` (a deleted pod's containers).
  void reset_prefix(const std::string& prefix);

 private:
  struct Entry {
    Duration delay{0};
    Clock::TimePoint last_update;
  };
  const Clock& clock_;
  Duration initial_;
  Duration max_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nodeagent::pods
