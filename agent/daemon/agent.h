// The nodeagent daemon as one object: builds every component from the config in dependency
// order, starts them, and stops them in reverse. Stopping the agent never stops containers:
// a restarted agent adopts them (pods are found again by UID in containerd's labels and in the
// state dir).
#pragma once

#include <memory>

#include "agent/config/config.h"
#include "util/result.h"

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
  void reconcile_orphans();

  config::AgentConfig config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace nodeagent::daemon
