// The seams the probes issue plugs into, against fakes (syncer_harness.h): probe results reach
// the planner (a failed liveness/startup probe kills the container, with the probe's grace) and
// the published state; postStart runs before the next container starts and a failure kills the
// container; preStop runs before the stop signal and takes its time out of the grace period.
#include <catch2/catch.hpp>

#include <algorithm>

#include "agent/pods/pod_actions.h"
#include "syncer_harness.h"

using namespace nodeagent;
using namespace nodeagent::pods;
using namespace nodeagent::testing;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

TEST_CASE("planner: a failed liveness probe kills the running container with the probe's grace") {
  auto p = pod("web", {"app", "other"}, {"proxy"});
  p.spec.init_containers[0].restart_policy = "Always";
  p.spec.restart_policy = "Always";
  PodRuntimeState state;
  state.sandbox_ready = true;
  state.containers["proxy"].push_back(running("proxy"));
  state.containers["app"].push_back(running("app"));
  state.containers["other"].push_back(running("other"));
  ManualClock clock;
  Backoff b(clock);

  CHECK(compute_pod_actions(p, state, b, clock.now()).kill.empty());

  state.probes.kill["app"] = ProbeFailure{"app-0", "Container app failed liveness probe, will be restarted", 5s};
  state.probes.kill["proxy"] = ProbeFailure{"", "Container proxy failed startup probe, will be restarted", std::nullopt};
  state.probes.kill["other"] = ProbeFailure{"other-7", "an older instance's verdict", std::nullopt};
  auto actions = compute_pod_actions(p, state, b, clock.now());
  REQUIRE(actions.kill.size() == 2);
  CHECK(actions.kill[0].name == "proxy");
  CHECK_FALSE(actions.kill[0].grace.has_value());
  CHECK(actions.kill[1].name == "app");
  CHECK(actions.kill[1].id == "app-0");
  CHECK(actions.kill[1].reason == "Container app failed liveness probe, will be restarted");
  CHECK(actions.kill[1].grace == 5s);
  CHECK_FALSE(actions.pod_finished);
}

TEST_CASE("syncer: probe results reach the plan and the published state") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  spec.spec.termination_grace_period_seconds = 30;
  auto p = share(spec);
  h.sync(p);
  REQUIRE(h.containers.created().size() == 1);
  CHECK_FALSE(h.log.only({"probes.sync"}).empty());  // the prober hears of every sync

  ProbeResults results;
  results.readiness["app"] = ProbeResult{SyncerHarness::id_of(*p, "app"), true};
  h.probes.set_results(p->metadata.uid, results);
  h.sync(p);
  CHECK(h.published(*p).probes.readiness.at("app").success);

  results.kill["app"] = ProbeFailure{SyncerHarness::id_of(*p, "app"), "Container app failed liveness probe, will be restarted", 3s};
  h.probes.set_results(p->metadata.uid, results);
  h.sync(p);
  auto stops = h.containers.stops();
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].name == "app");
  CHECK(stops[0].grace == 3s);  // the probe's, not the pod's 30 s

  for (int i = 0; i < 5; ++i) REQUIRE(h.syncer->terminate_pod(p).ok());
  REQUIRE(h.syncer->cleanup_pod(p).ok());
  CHECK(h.log.only({"probes.remove"}) == Strings{"probes.remove " + p->metadata.uid});
}

TEST_CASE("syncer: postStart runs after a container started and before the next one") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"first", "second"});
  spec.spec.containers[0].lifecycle = kube::Lifecycle{};
  spec.spec.containers[0].lifecycle->post_start = kube::LifecycleHandler{};
  auto p = share(spec);

  SECTION("in order") {
    h.sync(p);
    CHECK(h.log.only({"containers.start", "hooks.post_start"}) ==
          Strings{"containers.start first", "hooks.post_start first", "containers.start second"});
  }
  SECTION("a failed hook kills the container: FailedPostStartHook") {
    h.hooks.faults.fail("post_start", internal("exec: exit code 3"));
    h.sync(p);
    auto reasons = h.events.reasons();
    CHECK(std::find(reasons.begin(), reasons.end(), "FailedPostStartHook") != reasons.end());
    auto stops = h.containers.stops();
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].name == "first");
  }
}

TEST_CASE("syncer: preStop runs before the stop signal, within the grace period") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app", "plain"});
  spec.spec.termination_grace_period_seconds = 20;
  spec.spec.containers[0].lifecycle = kube::Lifecycle{};
  spec.spec.containers[0].lifecycle->pre_stop = kube::LifecycleHandler{};
  auto p = share(spec);
  h.sync(p);
  h.log.clear();
  REQUIRE(h.syncer->terminate_pod(p).ok());
  auto order = h.log.only({"hooks.pre_stop", "containers.signal"});
  auto hook = std::find(order.begin(), order.end(), "hooks.pre_stop app");
  auto stop = std::find(order.begin(), order.end(), "containers.signal app");
  REQUIRE(hook != order.end());
  REQUIRE(stop != order.end());
  CHECK(hook < stop);
  CHECK(std::count(order.begin(), order.end(), "hooks.pre_stop plain") == 0);  // no hook declared
  CHECK(h.hooks.last_pre_stop_grace == 20s);
}
