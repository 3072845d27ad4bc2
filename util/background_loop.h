// A loop on a thread of its own that sleeps between rounds and stops at once when asked: the
// shape of every periodic worker of the agent (lease, status, rotation, ...). `body` runs once
// per start(); it paces itself with sleep_for(), which returns false as soon as stop() is called.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace nodeagent {

class BackgroundLoop {
 public:
  BackgroundLoop() = default;
  ~BackgroundLoop() { stop(); }
  BackgroundLoop(const BackgroundLoop&) = delete;
  BackgroundLoop& operator=(const BackgroundLoop&) = delete;

  void start(std::function<void()> body) {
    stop();
    stopping_ = false;
    thread_ = std::thread(std::move(body));
  }

  // Idempotent; interrupts a sleep_for at once and joins the thread.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  // Sleeps `d` unless stopped first; false means stop.
  template <typename Rep, typename Period>
  bool sleep_for(std::chrono::duration<Rep, Period> d) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopping_.load(); });
  }

  bool stopping() const { return stopping_; }
  // For calls that take a cancel flag (watches, waits for the API server).
  const std::atomic<bool>* stop_flag() const { return &stopping_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nodeagent
