// What `nodectl probes` shows: one row per probe of every probed container, as the engine sees
// it right now. Filled by ProbeManager::snapshot() (read-only; taken under the engine's lock).
#pragma once

#include <optional>
#include <string>

#include "probes/engine/probe_types.h"
#include "util/clock.h"

namespace nodeagent::probes {

struct ProbeSnapshot {
  std::string pod_namespace;
  std::string pod_name;
  std::string pod_uid;
  std::string container;
  std::string container_id;  // the instance probed
  ProbeKind kind = ProbeKind::kLiveness;
  std::string handler;       // "http-get http://:8080/healthz"
  Outcome result = Outcome::kUnknown;    // published (what readiness / restarts follow)
  Outcome last_run = Outcome::kUnknown;  // the latest run's own outcome
  std::string last_message;              // its output ("HTTP probe failed with statuscode: 500")
  int consecutive_successes = 0;
  int consecutive_failures = 0;
  std::optional<Clock::TimePoint> last_transition;  // of `result`
  std::optional<Clock::TimePoint> next_run;         // none: on hold, done (startup), or running
  bool running = false;                             // a run is in flight
};

}  // namespace nodeagent::probes
