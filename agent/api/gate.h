// A gate for shutdown (after Seastar's gate.hh): work enters through it while it is open; close()
// refuses new work and waits until the work already inside has left.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

namespace nodeagent::api {

class Gate {
 public:
  // Held by one unit of in-flight work; leaving the gate when destroyed.
  class Pass {
   public:
    explicit Pass(Gate* gate) : gate_(gate) {}
    Pass(Pass&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    Pass& operator=(Pass&&) = delete;
    Pass(const Pass&) = delete;
    ~Pass() {
      if (gate_) gate_->leave();
    }

   private:
    Gate* gate_;
  };

  // nullopt once the gate is closed.
  std::optional<Pass> enter() {
    std::lock_guard lock(mu_);
    if (closed_) return std::nullopt;
    ++inside_;
    return std::optional<Pass>(std::in_place, this);
  }

  // Idempotent. Long-running work should poll closed() and leave.
  void close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    left_.wait(lock, [this] { return inside_ == 0; });
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  // Opens a closed gate again (a server restarted after stop()).
  void reopen() {
    std::lock_guard lock(mu_);
    closed_ = false;
  }

 private:
  void leave() {
    std::lock_guard lock(mu_);
    if (--inside_ == 0) left_.notify_all();
  }

  mutable std::mutex mu_;
  std::condition_variable left_;
  size_t inside_ = 0;
  bool closed_ = false;
};

}  // namespace nodeagent::api
