// The nodeagent daemon as one object: builds every component from the config in dependency
// order, starts them, and stops them in reverse. Stopping the agent never stops containers:
// a restarted agent adopts them (pods are found again by UID in containerd's labels and in the
// state dir).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/config/config.h"
#include "agent/util/result.h"

namespace nodeagent::daemon {

class Agent {
 public:
  explicit Agent(config::AgentConfig config);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  Status start();
  void stop();  // idempotent

 private:
  struct Parts;
  void on_container_event(const std::string& container_id);
  void pleg_loop();
  void reconcile_orphans();

  config::AgentConfig config_;
  std::unique_ptr<Parts> parts_;
  std::mutex pleg_mu_;
  std::condition_variable pleg_cv_;
  std::deque<std::string> pleg_queue_;
  bool stopping_ = false;
  std::thread pleg_;
};

}  // namespace nodeagent::daemon
