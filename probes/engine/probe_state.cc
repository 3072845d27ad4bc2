#include "probes/engine/probe_state.h"

#include <algorithm>

namespace nodeagent::probes {

namespace {
Outcome initial_value(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kReadiness: return Outcome::kFailure;
    case ProbeKind::kLiveness: return Outcome::kSuccess;
    case ProbeKind::kStartup: return Outcome::kUnknown;
  }
  return Outcome::kUnknown;
}
}  // namespace

ProbeState::ProbeState(ProbeKind kind, const kube::Probe& spec)
    : kind_(kind),
      success_threshold_(std::max(1, spec.success_threshold)),
      failure_threshold_(std::max(1, spec.failure_threshold)),
      published_(initial_value(kind)) {}

bool ProbeState::record(Outcome run, Clock::TimePoint now) {
  if (on_hold_) return false;
  if (run == Outcome::kUnknown) run = Outcome::kFailure;
  if (run == last_run_) {
    ++run_length_;
  } else {
    last_run_ = run;
    run_length_ = 1;
  }
  if ((run == Outcome::kFailure && run_length_ < failure_threshold_) ||
      (run == Outcome::kSuccess && run_length_ < success_threshold_))
    return false;
  const bool changed = published_ != run;
  published_ = run;
  if (changed) last_transition_ = now;
  if (run == Outcome::kFailure && kind_ != ProbeKind::kReadiness) {
    // kubelet's onHold: the container is killed; the next instance gets a fresh worker.
    on_hold_ = true;
    run_length_ = 0;
  }
  return changed;
}

void ProbeState::restore(Outcome published, Clock::TimePoint now) {
  published_ = published;
  last_transition_ = now;
}

}  // namespace nodeagent::probes
