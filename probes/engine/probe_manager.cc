#include "probes/engine/probe_manager.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::probes {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const kube::Probe* probe_of(const kube::Container& c, ProbeKind kind) {
  const std::optional<kube::Probe>* p = nullptr;
  switch (kind) {
    case ProbeKind::kLiveness: p = &c.liveness_probe; break;
    case ProbeKind::kReadiness: p = &c.readiness_probe; break;
    case ProbeKind::kStartup: p = &c.startup_probe; break;
  }
  return p && p->has_value() ? &**p : nullptr;
}

constexpr ProbeKind kKinds[] = {ProbeKind::kStartup, ProbeKind::kLiveness, ProbeKind::kReadiness};

milliseconds period_of(const kube::Probe& p) { return seconds(std::max(1, p.period_seconds)); }
milliseconds timeout_of(const kube::Probe& p) { return seconds(std::max(1, p.timeout_seconds)); }

}  // namespace

ProbeManager::ProbeManager(const Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)), engine_start_(clock.now()) {
  if (!options_.jitter) options_.jitter = [](milliseconds) { return milliseconds(0); };
}

void ProbeManager::schedule(Worker& w, Clock::TimePoint at) {
  w.next_run = at;
  timers_.push(Timer{at, w.id, ++w.timer_gen});
}

void ProbeManager::unschedule(Worker& w) {
  w.next_run.reset();
  ++w.timer_gen;
}

void ProbeManager::erase_worker(PodEntry& pod, std::map<std::pair<std::string, ProbeKind>, uint64_t>::iterator it) {
  auto w = workers_.find(it->second);
  if (w != workers_.end()) {
    if (w->second.in_flight) runs_.erase(w->second.in_flight);
    workers_.erase(w);
  }
  pod.workers.erase(it);
}

void ProbeManager::update_pod(const PodInput& input) {
  const auto& uid = input.pod->metadata.uid;
  auto [pit, inserted] = pods_.try_emplace(uid);
  PodEntry& pod = pit->second;
  if (inserted && options_.store) pod.persisted = options_.store->load(uid);
  pod.pod = input.pod;
  pod.netns_path = input.netns_path;
  const auto now = clock_.now();

  std::set<std::pair<std::string, ProbeKind>> wanted;
  auto add_container = [&](const kube::Container& c) {
    const RunningContainer* running = nullptr;
    for (const auto& r : input.running)
      if (r.name == c.name) running = &r;
    if (!running) return;
    for (ProbeKind kind : kKinds) {
      const kube::Probe* spec = probe_of(c, kind);
      if (!spec) continue;
      const auto key = std::make_pair(c.name, kind);
      wanted.insert(key);
      auto existing = pod.workers.find(key);
      if (existing != pod.workers.end() && workers_.at(existing->second).container_id != running->id)
        erase_worker(pod, existing), existing = pod.workers.end();
      Worker* w = nullptr;
      if (existing == pod.workers.end()) {
        const uint64_t id = next_worker_id_++;
        Worker& created = workers_[id];
        created.id = id;
        created.uid = uid;
        created.container = c.name;
        created.kind = kind;
        created.container_id = running->id;
        created.state = ProbeState(kind, *spec);
        pod.workers[key] = id;
        w = &created;
        // The instance's results from before an agent restart.
        const bool restarted = running->started_at < engine_start_;
        if (pod.persisted) {
          auto kept = pod.persisted->find(c.name);
          if (kept != pod.persisted->end() && kept->second.container_id == running->id) {
            if (kind == ProbeKind::kReadiness && kept->second.ready) w->state.restore(Outcome::kSuccess, now);
            if (kind == ProbeKind::kStartup && kept->second.started) w->state.restore(Outcome::kSuccess, now);
          }
        }
        auto first = running->started_at + seconds(std::max(0, spec->initial_delay_seconds));
        const auto earliest = restarted ? now + options_.jitter(period_of(*spec)) : now;
        if (kind == ProbeKind::kStartup && w->state.published() == Outcome::kSuccess) {
          // Started already: a startup probe never runs again for this instance.
        } else {
          schedule(*w, std::max(first, earliest));
        }
      } else {
        w = &workers_.at(existing->second);
      }
      w->spec = *spec;
      w->handler = describe_handler(spec->handler, c);
      auto target = resolve_target(*spec, c, input.pod_ip);
      if (target.ok()) {
        w->target = std::move(target).value();
        w->target_error.clear();
      } else {
        w->target.reset();
        w->target_error = target.error().message;
      }
    }
  };
  for (const auto& c : input.pod->spec.init_containers)
    if (c.is_sidecar()) add_container(c);
  for (const auto& c : input.pod->spec.containers) add_container(c);
  for (auto it = pod.workers.begin(); it != pod.workers.end();) {
    auto next = std::next(it);
    if (!wanted.count(it->first)) erase_worker(pod, it);
    it = next;
  }
}

std::string ProbeManager::remove_pod(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return "";
  std::string netns = it->second.netns_path;
  while (!it->second.workers.empty()) erase_worker(it->second, it->second.workers.begin());
  pods_.erase(it);
  return netns;
}

ProbeManager::Worker* ProbeManager::startup_of(const PodEntry& pod, const std::string& container) {
  auto it = pod.workers.find({container, ProbeKind::kStartup});
  return it == pod.workers.end() ? nullptr : &workers_.at(it->second);
}

std::vector<ProbeRun> ProbeManager::take_due(Clock::TimePoint now) {
  std::vector<ProbeRun> runs;
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    auto wit = workers_.find(t.worker);
    if (wit == workers_.end() || wit->second.timer_gen != t.gen) continue;  // cancelled
    Worker& w = wit->second;
    w.next_run.reset();
    const PodEntry& pod = pods_.at(w.uid);
    if (w.kind != ProbeKind::kStartup) {
      // kubelet skips liveness and readiness until the startup probe has succeeded.
      if (Worker* s = startup_of(pod, w.container); s && s->state.published() != Outcome::kSuccess) {
        schedule(w, t.at + period_of(w.spec));
        continue;
      }
    }
    ProbeRun run;
    run.run_id = next_run_id_++;
    run.kind = w.kind;
    if (w.target) run.target = *w.target;
    run.error = w.target_error;
    run.netns_path = pod.netns_path;
    run.container_id = w.container_id;
    run.timeout = timeout_of(w.spec);
    w.in_flight = run.run_id;
    w.run_started = std::max(t.at, now - period_of(w.spec));
    runs_[run.run_id] = w.id;
    runs.push_back(std::move(run));
  }
  return runs;
}

std::optional<Clock::TimePoint> ProbeManager::next_due() const {
  // Cancelled timers stay in the heap until popped; an early wake-up is harmless.
  if (timers_.empty()) return std::nullopt;
  return timers_.top().at;
}

ProbeManager::Effects ProbeManager::complete(uint64_t run_id, const RunResult& result, Clock::TimePoint now) {
  Effects effects;
  auto rit = runs_.find(run_id);
  if (rit == runs_.end()) return effects;
  auto wit = workers_.find(rit->second);
  runs_.erase(rit);
  if (wit == workers_.end()) return effects;
  Worker& w = wit->second;
  w.in_flight = 0;
  PodEntry& pod = pods_.at(w.uid);

  const Outcome outcome = result.outcome == Outcome::kSuccess ? Outcome::kSuccess : Outcome::kFailure;
  w.last_message = result.message;
  {
    // kubelet's prober metrics (/metrics/probes).
    const auto& meta = pod.pod->metadata;
    const char* res = result.outcome == Outcome::kSuccess ? "successful" : result.outcome == Outcome::kFailure ? "failed" : "unknown";
    metrics::probe_total().inc({kind_title(w.kind), res, w.container, meta.name, meta.namespace_, meta.uid});
    metrics::probe_duration().observe({kind_title(w.kind), w.container, meta.name, meta.namespace_},
                                      std::chrono::duration<double>(now - w.run_started).count());
  }
  if (result.outcome == Outcome::kUnknown)
    effects.events.push_back({pod.pod, w.container, "Warning", "Unhealthy",
                              fmt::format("{} probe errored and resulted in unknown state: {}", kind_title(w.kind),
                                          result.message)});
  else if (outcome == Outcome::kFailure)
    effects.events.push_back({pod.pod, w.container, "Warning", "Unhealthy",
                              fmt::format("{} probe failed: {}", kind_title(w.kind), result.message)});
  else if (result.warning)
    effects.events.push_back({pod.pod, w.container, "Warning", "ProbeWarning",
                              fmt::format("{} probe warning: {}", kind_title(w.kind), result.message)});

  const bool changed = w.state.record(outcome, now);
  if (changed) {
    effects.wake.push_back(w.uid);
    if (w.kind != ProbeKind::kLiveness && options_.store) effects.save.emplace_back(w.uid, persisted_of(pod));
  }
  if (changed && w.kind == ProbeKind::kStartup && w.state.published() == Outcome::kSuccess) {
    // Readiness is probed as soon as the container has started.
    auto r = pod.workers.find({w.container, ProbeKind::kReadiness});
    if (r != pod.workers.end()) {
      Worker& rw = workers_.at(r->second);
      if (!rw.in_flight) schedule(rw, now);
    }
  }
  const bool done = w.state.on_hold() || (w.kind == ProbeKind::kStartup && w.state.published() == Outcome::kSuccess);
  if (!done) schedule(w, std::max(w.run_started + period_of(w.spec), now));
  return effects;
}

PersistedPod ProbeManager::persisted_of(const PodEntry& pod) const {
  PersistedPod out;
  for (const auto& [key, id] : pod.workers) {
    const Worker& w = workers_.at(id);
    if (w.kind == ProbeKind::kLiveness) continue;
    auto& c = out[w.container];
    c.container_id = w.container_id;
    if (w.kind == ProbeKind::kReadiness) c.ready = w.state.published() == Outcome::kSuccess;
    if (w.kind == ProbeKind::kStartup) c.started = w.state.published() == Outcome::kSuccess;
  }
  return out;
}

PodResults ProbeManager::results(const std::string& uid) const {
  PodResults out;
  auto it = pods_.find(uid);
  if (it == pods_.end()) return out;
  for (const auto& [key, id] : it->second.workers) {
    const Worker& w = workers_.at(id);
    const bool success = w.state.published() == Outcome::kSuccess;
    switch (w.kind) {
      case ProbeKind::kReadiness: out.readiness.push_back({w.container, {w.container_id, success}}); break;
      case ProbeKind::kStartup: out.startup.push_back({w.container, {w.container_id, success}}); break;
      case ProbeKind::kLiveness: break;
    }
    if (w.kind != ProbeKind::kReadiness && w.state.on_hold()) {
      KillRequest k;
      k.container_id = w.container_id;
      k.message = fmt::format("Container {} failed {} probe, will be restarted", w.container, kind_name(w.kind));
      if (w.spec.termination_grace_period_seconds) k.grace = seconds(*w.spec.termination_grace_period_seconds);
      out.kill.push_back({w.container, std::move(k)});
    }
  }
  return out;
}

std::vector<ProbeSnapshot> ProbeManager::snapshot() const {
  std::vector<ProbeSnapshot> out;
  for (const auto& [uid, pod] : pods_) {
    for (const auto& [key, id] : pod.workers) {
      const Worker& w = workers_.at(id);
      ProbeSnapshot s;
      s.pod_namespace = pod.pod->metadata.namespace_;
      s.pod_name = pod.pod->metadata.name;
      s.pod_uid = uid;
      s.container = w.container;
      s.container_id = w.container_id;
      s.kind = w.kind;
      s.handler = w.handler;
      s.result = w.state.published();
      s.last_run = w.state.last_run();
      s.last_message = w.target_error.empty() ? w.last_message : w.target_error;
      s.consecutive_successes = w.state.consecutive_successes();
      s.consecutive_failures = w.state.consecutive_failures();
      s.last_transition = w.state.last_transition();
      s.next_run = w.next_run;
      s.running = w.in_flight != 0;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace nodeagent::probes
