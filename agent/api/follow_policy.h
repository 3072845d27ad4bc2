// When a `logs -f` stream should stop: the client cancelled, the server is stopping, or the
// container stopped writing — in the last case only after one more read of the file, so the
// lines it wrote just before exiting still reach the client. Used as read_logs' KeepFollowing
// (runtime/logs/log_reader.h), which asks it each time the reader has caught up.
#pragma once

#include <chrono>
#include <functional>

namespace nodeagent::api {

class FollowPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  // `writer_active` may be costly (it asks the runtime): it is asked at most once per
  // `check_interval`.
  FollowPolicy(std::function<bool()> cancelled, std::function<bool()> writer_active,
               std::chrono::milliseconds check_interval)
      : cancelled_(std::move(cancelled)), writer_active_(std::move(writer_active)), interval_(check_interval) {}

  bool keep_following() {
    if (cancelled_() || writer_gone_) return false;
    auto now = Clock::now();
    if (now >= next_check_) {
      next_check_ = now + interval_;
      // Seen stopped: say yes once more, so the reader drains what was written before.
      if (!writer_active_()) writer_gone_ = true;
    }
    return true;
  }

 private:
  std::function<bool()> cancelled_;
  std::function<bool()> writer_active_;
  std::chrono::milliseconds interval_;
  Clock::time_point next_check_{};
  bool writer_gone_ = false;
};

}  // namespace nodeagent::api
