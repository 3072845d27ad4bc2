// One probe's result, with kubelet's thresholds (prober/worker.go doProbe): a run's outcome only
// becomes the published result after failureThreshold consecutive failures or successThreshold
// consecutive successes. The published result starts as kubelet's initial value: Failure for
// readiness (not ready until proven), Success for liveness (alive until proven dead), Unknown for
// startup (not started). A liveness or startup probe that fails its threshold goes on hold: the
// container is to be killed, and the probe stays quiet until a new instance replaces it.
#pragma once

#include <optional>

#include "kube/types.h"
#include "probes/engine/probe_types.h"
#include "util/clock.h"

namespace nodeagent::probes {

class ProbeState {
 public:
  ProbeState(ProbeKind kind, const kube::Probe& spec);

  // Records one run's outcome (Unknown counts as Failure, as kubelet does); true when the
  // published result changed.
  bool record(Outcome run, Clock::TimePoint now);
  // Starts from a result kept across an agent restart (persisted readiness / startup).
  void restore(Outcome published, Clock::TimePoint now);

  Outcome published() const { return published_; }
  Outcome last_run() const { return last_run_; }
  int consecutive_successes() const { return last_run_ == Outcome::kSuccess ? run_length_ : 0; }
  int consecutive_failures() const { return last_run_ == Outcome::kFailure ? run_length_ : 0; }
  std::optional<Clock::TimePoint> last_transition() const { return last_transition_; }
  // A liveness/startup probe that failed: the container is to be killed; no more runs.
  bool on_hold() const { return on_hold_; }

 private:
  ProbeKind kind_;
  int success_threshold_;
  int failure_threshold_;
  Outcome published_;
  Outcome last_run_ = Outcome::kUnknown;
  int run_length_ = 0;
  bool on_hold_ = false;
  std::optional<Clock::TimePoint> last_transition_;
};

}  // namespace nodeagent::probes
