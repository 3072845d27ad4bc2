// Sends the recorder's events to the API server as client-go's event broadcaster does: a new
// event is POSTed, an aggregated one (count > 1) is PATCHed with its new count and
// lastTimestamp (POSTed if the API server no longer has it), through a bounded queue on a
// thread of its own, with client-go's spam filter (a token bucket per involved object: burst 25,
// then one per 5 minutes). Events that cannot be sent while the API server is away stay queued
// (the oldest are dropped past `capacity`) and go out when it is back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "agent/cluster/cluster_context.h"
#include "kube/types.h"

namespace nodeagent::cluster {

struct EventSinkOptions {
  std::size_t capacity = 1000;
  int burst = 25;
  std::chrono::seconds refill{300};
  std::chrono::milliseconds retry{2000};
};

class EventSink {
 public:
  EventSink(ClusterContext context, EventSinkOptions options = {});
  ~EventSink();

  // From the recorder's listener: never blocks on the network.
  void post(const kube::Event& event);
  void start();
  void stop();
  // Sends what is queued on the caller's thread; returns how many were sent (tests).
  int flush();
  uint64_t dropped() const;

 private:
  bool allow(const kube::Event& event);  // the spam filter
  Status send(const kube::Event& event);
  void loop();

  ClusterContext context_;
  EventSinkOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<kube::Event> queue_;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::map<std::string, Bucket> buckets_;  // involved object uid (or kind/ns/name) -> bucket
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nodeagent::cluster
