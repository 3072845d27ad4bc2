// The probe engine's state machine and timers with a manual clock: thresholds, initial values,
// startup gating, kills with kubelet's message and the probe's grace, instance resets, jitter
// after a restart, persisted readiness.
#include <catch2/catch.hpp>

#include "probes/engine/probe_manager.h"
#include "probes/engine/probe_state.h"

namespace nodeagent::probes {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

kube::Probe http_probe(int period = 10, int failure = 3, int success = 1, int initial_delay = 0) {
  kube::Probe p;
  kube::HTTPGetAction get;
  get.port = kube::IntOrString::from_string("http");
  get.path = "/healthz";
  p.handler.http_get = get;
  p.period_seconds = period;
  p.failure_threshold = failure;
  p.success_threshold = success;
  p.initial_delay_seconds = initial_delay;
  return p;
}

std::shared_ptr<kube::Pod> make_pod() {
  auto pod = std::make_shared<kube::Pod>();
  pod->metadata.name = "web";
  pod->metadata.namespace_ = "default";
  pod->metadata.uid = "uid-1";
  kube::Container c;
  c.name = "app";
  kube::ContainerPort port;
  port.name = "http";
  port.container_port = 8080;
  c.ports.push_back(port);
  pod->spec.containers.push_back(c);
  return pod;
}

PodInput input(std::shared_ptr<kube::Pod> pod, const std::string& id, Clock::TimePoint started) {
  return PodInput{pod, "10.244.0.5", "/run/netns/x", {RunningContainer{"app", id, started}}};
}

std::optional<ContainerResult> find(const std::vector<std::pair<std::string, ContainerResult>>& v, const std::string& name) {
  for (const auto& [n, r] : v)
    if (n == name) return r;
  return std::nullopt;
}

class MemoryStore final : public ResultStore {
 public:
  std::map<std::string, PersistedPod> pods;
  std::optional<PersistedPod> load(const std::string& uid) override {
    auto it = pods.find(uid);
    if (it == pods.end()) return std::nullopt;
    return it->second;
  }
  void save(const std::string& uid, const PersistedPod& pod) override { pods[uid] = pod; }
};

}  // namespace

TEST_CASE("ProbeState: kubelet's initial values and thresholds", "[probes]") {
  ManualClock clock;
  auto p = http_probe(10, 3, 2);
  ProbeState readiness(ProbeKind::kReadiness, p);
  CHECK(readiness.published() == Outcome::kFailure);
  CHECK_FALSE(readiness.record(Outcome::kSuccess, clock.now()));  // 1 of successThreshold 2
  CHECK(readiness.record(Outcome::kSuccess, clock.now()));
  CHECK(readiness.published() == Outcome::kSuccess);
  CHECK_FALSE(readiness.record(Outcome::kFailure, clock.now()));
  CHECK_FALSE(readiness.record(Outcome::kUnknown, clock.now()));  // an error counts as a failure
  CHECK(readiness.consecutive_failures() == 2);
  CHECK(readiness.record(Outcome::kFailure, clock.now()));
  CHECK(readiness.published() == Outcome::kFailure);
  CHECK_FALSE(readiness.on_hold());  // readiness never asks for a kill

  ProbeState liveness(ProbeKind::kLiveness, http_probe(10, 1));
  CHECK(liveness.published() == Outcome::kSuccess);
  CHECK(liveness.record(Outcome::kFailure, clock.now()));
  CHECK(liveness.on_hold());
  CHECK_FALSE(liveness.record(Outcome::kSuccess, clock.now()));  // quiet until a new instance

  ProbeState startup(ProbeKind::kStartup, http_probe());
  CHECK(startup.published() == Outcome::kUnknown);
}

TEST_CASE("ProbeManager: readiness runs at start, every period, and flips after the thresholds", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].readiness_probe = http_probe(10, 3);
  m.update_pod(input(pod, "c1", clock.now() + milliseconds(1)));  // started after the engine

  auto r = m.results("uid-1");
  REQUIRE(find(r.readiness, "app"));
  CHECK_FALSE(find(r.readiness, "app")->success);  // not ready until a probe passes
  CHECK(find(r.readiness, "app")->container_id == "c1");

  clock.advance(milliseconds(1));
  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].target.host == "10.244.0.5");
  CHECK(due[0].target.port == 8080);  // the named port
  CHECK(due[0].target.path == "/healthz");
  CHECK(due[0].netns_path == "/run/netns/x");
  CHECK(due[0].timeout == seconds(1));
  CHECK(m.take_due(clock.now()).empty());  // one in flight at a time

  auto fx = m.complete(due[0].run_id, {Outcome::kSuccess, "", false}, clock.now());
  CHECK(fx.wake == std::vector<std::string>{"uid-1"});
  CHECK(find(m.results("uid-1").readiness, "app")->success);
  REQUIRE(m.next_due());
  CHECK(*m.next_due() == clock.now() + seconds(10));

  // Two failures: still ready; the third flips it, and each failure is an Unhealthy event.
  for (int i = 0; i < 3; ++i) {
    clock.advance(seconds(10));
    due = m.take_due(clock.now());
    REQUIRE(due.size() == 1);
    fx = m.complete(due[0].run_id, {Outcome::kFailure, "HTTP probe failed with statuscode: 500", false}, clock.now());
    REQUIRE(fx.events.size() == 1);
    CHECK(fx.events[0].reason == "Unhealthy");
    CHECK(fx.events[0].type == "Warning");
    CHECK(fx.events[0].message == "Readiness probe failed: HTTP probe failed with statuscode: 500");
    CHECK(find(m.results("uid-1").readiness, "app")->success == (i < 2));
    CHECK(fx.wake.size() == (i == 2 ? 1u : 0u));
  }
  auto snap = m.snapshot();
  REQUIRE(snap.size() == 1);
  CHECK(snap[0].kind == ProbeKind::kReadiness);
  CHECK(snap[0].handler == "http-get http://:http/healthz");
  CHECK(snap[0].result == Outcome::kFailure);
  CHECK(snap[0].consecutive_failures == 3);
  CHECK(snap[0].last_message == "HTTP probe failed with statuscode: 500");
  CHECK(snap[0].next_run == clock.now() + seconds(10));
}

TEST_CASE("ProbeManager: initialDelaySeconds counts from the container's start", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].liveness_probe = http_probe(10, 3, 1, 15);
  const auto started = clock.now() + seconds(1);
  clock.advance(seconds(2));
  m.update_pod(input(pod, "c1", started));
  CHECK(m.take_due(clock.now()).empty());
  REQUIRE(m.next_due());
  CHECK(*m.next_due() == started + seconds(15));
}

TEST_CASE("ProbeManager: liveness failure asks for a kill with kubelet's message and the probe's grace", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  auto p = http_probe(1, 2);
  p.termination_grace_period_seconds = 7;
  pod->spec.containers[0].liveness_probe = p;
  m.update_pod(input(pod, "c1", clock.now() + milliseconds(1)));
  clock.advance(milliseconds(1));
  for (int i = 0; i < 2; ++i) {
    auto due = m.take_due(clock.now());
    REQUIRE(due.size() == 1);
    m.complete(due[0].run_id, {Outcome::kFailure, "dial tcp 10.244.0.5:8080: connect: connection refused", false},
               clock.now());
    clock.advance(seconds(1));
  }
  auto r = m.results("uid-1");
  REQUIRE(r.kill.size() == 1);
  CHECK(r.kill[0].first == "app");
  CHECK(r.kill[0].second.container_id == "c1");
  CHECK(r.kill[0].second.message == "Container app failed liveness probe, will be restarted");
  CHECK(r.kill[0].second.grace == seconds(7));
  CHECK(m.take_due(clock.now() + seconds(100)).empty());  // on hold

  // The restarted instance gets a fresh probe: no kill, probed again.
  m.update_pod(input(pod, "c2", clock.now() + milliseconds(1)));
  CHECK(m.results("uid-1").kill.empty());
  clock.advance(milliseconds(1));
  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].container_id == "c2");
}

TEST_CASE("ProbeManager: the startup probe holds liveness and readiness back, then readiness runs at once", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].startup_probe = http_probe(5, 10);
  pod->spec.containers[0].liveness_probe = http_probe(3, 1);
  pod->spec.containers[0].readiness_probe = http_probe(20, 1);
  m.update_pod(input(pod, "c1", clock.now() + milliseconds(1)));
  clock.advance(milliseconds(1));

  // Only the startup probe runs while it has not succeeded.
  for (int i = 0; i < 3; ++i) {
    auto due = m.take_due(clock.now());
    REQUIRE(due.size() == 1);
    CHECK(due[0].kind == ProbeKind::kStartup);
    m.complete(due[0].run_id, {Outcome::kFailure, "refused", false}, clock.now());
    clock.advance(seconds(5));
  }
  CHECK(m.results("uid-1").kill.empty());
  CHECK_FALSE(find(m.results("uid-1").startup, "app")->success);

  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].kind == ProbeKind::kStartup);
  m.complete(due[0].run_id, {Outcome::kSuccess, "", false}, clock.now());
  CHECK(find(m.results("uid-1").startup, "app")->success);

  // Readiness at once; the startup probe never again.
  due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].kind == ProbeKind::kReadiness);
  bool liveness_ran = false;
  for (int i = 0; i < 10; ++i) {
    clock.advance(seconds(1));
    for (const auto& run : m.take_due(clock.now())) {
      CHECK(run.kind == ProbeKind::kLiveness);
      liveness_ran = true;
      m.complete(run.run_id, {Outcome::kSuccess, "", false}, clock.now());
    }
  }
  CHECK(liveness_ran);
}

TEST_CASE("ProbeManager: a startup probe that fails its threshold kills the container", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].startup_probe = http_probe(1, 2);
  m.update_pod(input(pod, "c1", clock.now() + milliseconds(1)));
  clock.advance(milliseconds(1));
  for (int i = 0; i < 2; ++i) {
    auto due = m.take_due(clock.now());
    REQUIRE(due.size() == 1);
    m.complete(due[0].run_id, {Outcome::kFailure, "x", false}, clock.now());
    clock.advance(seconds(1));
  }
  auto r = m.results("uid-1");
  REQUIRE(r.kill.size() == 1);
  CHECK(r.kill[0].second.message == "Container app failed startup probe, will be restarted");
  CHECK_FALSE(r.kill[0].second.grace);
}

TEST_CASE("ProbeManager: a redirect to another host is a success with a ProbeWarning", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].readiness_probe = http_probe();
  m.update_pod(input(pod, "c1", clock.now() + milliseconds(1)));
  clock.advance(milliseconds(1));
  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  auto fx = m.complete(due[0].run_id, {Outcome::kSuccess, "Probe terminated redirects, Response body: ", true}, clock.now());
  REQUIRE(fx.events.size() == 1);
  CHECK(fx.events[0].reason == "ProbeWarning");
  CHECK(fx.events[0].message == "Readiness probe warning: Probe terminated redirects, Response body: ");
  CHECK(find(m.results("uid-1").readiness, "app")->success);
}

TEST_CASE("ProbeManager: containers not running lose their probes; removed pods are forgotten", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  pod->spec.containers[0].readiness_probe = http_probe();
  m.update_pod(input(pod, "c1", clock.now()));
  CHECK(m.probe_count() == 1);
  m.update_pod(PodInput{pod, "10.244.0.5", "", {}});
  CHECK(m.probe_count() == 0);
  CHECK(m.results("uid-1").readiness.empty());
  m.update_pod(input(pod, "c1", clock.now()));
  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(m.remove_pod("uid-1") == "/run/netns/x");
  CHECK(m.probe_count() == 0);
  auto fx = m.complete(due[0].run_id, {Outcome::kSuccess, "", false}, clock.now());  // late result: ignored
  CHECK(fx.wake.empty());
}

TEST_CASE("ProbeManager: a port name the container does not declare errors every run, as kubelet's", "[probes]") {
  ManualClock clock;
  ProbeManager m(clock, {});
  auto pod = make_pod();
  auto p = http_probe();
  p.handler.http_get->port = kube::IntOrString::from_string("metrics");
  p.failure_threshold = 1;
  pod->spec.containers[0].readiness_probe = p;
  m.update_pod(input(pod, "c1", clock.now()));
  auto due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].error == "port \"metrics\" not found");
  // The prober completes such a run as an error (kUnknown): a failure with kubelet's wording.
  auto fx = m.complete(due[0].run_id, {Outcome::kUnknown, due[0].error, false}, clock.now());
  REQUIRE(fx.events.size() == 1);
  CHECK(fx.events[0].reason == "Unhealthy");
  CHECK(fx.events[0].message == "Readiness probe errored and resulted in unknown state: port \"metrics\" not found");
  CHECK_FALSE(m.results("uid-1").readiness.at(0).second.success);
  // A port of that name resolves once the container declares it.
  auto fixed = std::make_shared<kube::Pod>(*pod);
  fixed->spec.containers[0].ports.push_back({"metrics", 0, 9090, "TCP", ""});
  m.update_pod(input(fixed, "c1", clock.now()));
  clock.advance(std::chrono::seconds(10));
  due = m.take_due(clock.now());
  REQUIRE(due.size() == 1);
  CHECK(due[0].error.empty());
  CHECK(due[0].target.port == 9090);
}

TEST_CASE("ProbeManager: after a restart, first runs are jittered and kept readiness is restored", "[probes]") {
  ManualClock clock;
  MemoryStore store;
  const auto started = clock.now() - seconds(100);  // running before the engine started
  {
    ProbeManager m(clock, {{}, &store});
    auto pod = make_pod();
    pod->spec.containers[0].readiness_probe = http_probe();
    m.update_pod(input(pod, "c1", started));
    auto due = m.take_due(clock.now());
    REQUIRE(due.size() == 1);
    auto fx = m.complete(due[0].run_id, {Outcome::kSuccess, "", false}, clock.now());
    REQUIRE(fx.save.size() == 1);
    store.save(fx.save[0].first, fx.save[0].second);
  }
  REQUIRE(store.pods["uid-1"]["app"].ready);
  CHECK(store.pods["uid-1"]["app"].container_id == "c1");

  clock.advance(seconds(5));
  ProbeManager::Options options;
  options.store = &store;
  options.jitter = [](milliseconds period) { return period / 2; };
  ProbeManager m(clock, options);
  auto pod = make_pod();
  pod->spec.containers[0].readiness_probe = http_probe();
  m.update_pod(input(pod, "c1", started));
  CHECK(find(m.results("uid-1").readiness, "app")->success);  // Ready at once, no probe yet
  REQUIRE(m.next_due());
  CHECK(*m.next_due() == clock.now() + seconds(5));  // jittered over the period

  // Another instance does not inherit it.
  ProbeManager other(clock, options);
  other.update_pod(input(pod, "c2", started));
  CHECK_FALSE(find(other.results("uid-1").readiness, "app")->success);
}

}  // namespace nodeagent::probes
