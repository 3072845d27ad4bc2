// Client-side request throttling as client-go's token bucket (kubelet: kubeAPIQPS 50,
// kubeAPIBurst 100): `burst` requests may go at once, then `qps` per second.
#pragma once

#include <chrono>
#include <mutex>

namespace nodeagent::kube::client {

class RateLimiter {
 public:
  RateLimiter(double qps, int burst);
  // Blocks until a token is free. qps <= 0: never blocks.
  void acquire();

 private:
  using Clock = std::chrono::steady_clock;
  double qps_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
  std::mutex mu_;
};

}  // namespace nodeagent::kube::client
