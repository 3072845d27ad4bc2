// The seams the probes issue plugs into, against fakes (syncer_harness.h): probe results reach
// the planner (a failed liveness/startup probe kills the container, with the probe's grace) and
// the published state; postStart runs before the next container starts and a failure kills the
// container; preStop runs before the stop signal and takes its time out of the grace period.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <map>

#include "agent/pods/container_ids.h"
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
  auto killing = h.events.find("Killing");
  REQUIRE(killing);
  CHECK(killing->message == "Container app failed liveness probe, will be restarted");  // kubelet's words

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
    h.hooks.faults.fail("post_start", internal("Exec lifecycle hook ([false]) for Container \"first\" ... failed"));
    h.sync(p);
    // kubelet's: the event without the hook's message, then killContainer with the pod's grace.
    auto failed = h.events.find("FailedPostStartHook");
    REQUIRE(failed);
    CHECK(failed->type == "Warning");
    CHECK(failed->message == "PostStartHook failed");
    auto killing = h.events.find("Killing");
    REQUIRE(killing);
    CHECK(killing->message == "FailedPostStartHook");
    auto stops = h.containers.stops();
    REQUIRE(stops.size() == 1);
    CHECK(stops[0].name == "first");
    CHECK(stops[0].signal == SIGTERM);
    CHECK(stops[0].grace == 30s);
    // The next container still starts (kubelet goes on with the others).
    CHECK(h.log.only({"containers.start"}) == Strings{"containers.start first", "containers.start second"});
    // The status says why: PostStartHookError with the hook's message, until the restart.
    auto waiting = h.published(*p).waiting;
    REQUIRE(waiting.count("first"));
    CHECK(waiting.at("first").reason == "PostStartHookError");
    CHECK(waiting.at("first").message == "Exec lifecycle hook ([false]) for Container \"first\" ... failed");
  }
  SECTION("the kill after a failed hook runs the container's preStop hook too") {
    auto with_pre_stop = spec;
    with_pre_stop.spec.containers[0].lifecycle->pre_stop = kube::LifecycleHandler{};
    auto q = share(with_pre_stop);
    h.hooks.faults.fail("post_start", internal("failed"));
    h.sync(q);
    CHECK(h.log.only({"hooks.post_start", "hooks.pre_stop", "containers.start"}) ==
          Strings{"containers.start first", "hooks.post_start first", "hooks.pre_stop first", "containers.start second"});
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

TEST_CASE("syncer: a failed preStop hook is a FailedPreStopHook event and the stop goes on") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  spec.spec.containers[0].lifecycle = kube::Lifecycle{};
  spec.spec.containers[0].lifecycle->pre_stop = kube::LifecycleHandler{};
  auto p = share(spec);
  h.sync(p);
  h.hooks.faults.fail("pre_stop", internal("HTTP lifecycle hook (/stop) ... failed"));
  REQUIRE(h.syncer->terminate_pod(p).ok());
  auto failed = h.events.find("FailedPreStopHook");
  REQUIRE(failed);
  CHECK(failed->type == "Warning");
  CHECK(failed->message == "PreStopHook failed");
  CHECK(h.log.only({"containers.signal"}).size() == 1);
}

TEST_CASE("syncer: no preStop hook with a grace period of 0") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app"});
  spec.spec.containers[0].lifecycle = kube::Lifecycle{};
  spec.spec.containers[0].lifecycle->pre_stop = kube::LifecycleHandler{};
  auto p = share(spec);
  h.sync(p);
  auto deleted = spec;
  deleted.metadata.deletion_grace_period_seconds = 0;
  REQUIRE(h.syncer->terminate_pod(share(deleted)).ok());
  CHECK(h.log.only({"hooks.pre_stop"}).empty());
}

TEST_CASE("syncer: lifecycle.stopSignal overrides the image's stop signal") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"app", "plain"});
  spec.spec.containers[0].lifecycle = kube::Lifecycle{};
  spec.spec.containers[0].lifecycle->stop_signal = "SIGUSR1";
  auto p = share(spec);
  h.sync(p);
  REQUIRE(h.syncer->terminate_pod(p).ok());
  std::map<std::string, int> signals;
  for (const auto& s : h.containers.stops()) signals[s.name] = s.signal;
  CHECK(signals.at("app") == SIGUSR1);
  CHECK(signals.at("plain") == SIGTERM);
}

TEST_CASE("syncer: the preStop hooks of a pod's containers run side by side") {
  SyncerHarness h;
  auto spec = runnable_pod("web", {"a", "b", "c"});
  for (auto& c : spec.spec.containers) {
    c.lifecycle = kube::Lifecycle{};
    c.lifecycle->pre_stop = kube::LifecycleHandler{};
  }
  auto p = share(spec);
  h.sync(p);
  h.hooks.pre_stop_takes = 300ms;
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(h.syncer->terminate_pod(p).ok());
  CHECK(std::chrono::steady_clock::now() - started < 850ms);  // not 3 x 300 ms one after another
  CHECK(h.hooks.max_pre_stops_running == 3);
  CHECK(h.log.only({"containers.signal"}).size() == 3);  // each signalled once
}

TEST_CASE("signal names: every stopSignal upstream accepts maps to its number") {
  CHECK(signal_number("SIGUSR1") == SIGUSR1);
  CHECK(signal_number("SIGCHLD") == SIGCHLD);
  CHECK(signal_number("SIGRTMIN") == SIGRTMIN);
  CHECK(signal_number("SIGRTMIN+3") == SIGRTMIN + 3);
  CHECK(signal_number("SIGRTMAX-2") == SIGRTMAX - 2);
  CHECK(signal_number("SIGRTMAX") == SIGRTMAX);
  CHECK(signal_number("SIGRTMIN+99") == SIGTERM);
  CHECK(signal_number("SIGBOGUS") == SIGTERM);
  CHECK(signal_number("QUIT") == SIGQUIT);
  CHECK(signal_number("9") == SIGKILL);
}

TEST_CASE("the effective stop signal: lifecycle.stopSignal, else the image's, else SIGTERM, by v1.Signal's names") {
  kube::Container c;
  runtime::ImageInfo image;
  CHECK(effective_stop_signal(c, image) == "SIGTERM");
  image.config.stop_signal = "SIGQUIT";
  CHECK(effective_stop_signal(c, image) == "SIGQUIT");
  image.config.stop_signal = "9";  // images may give numbers or names without SIG
  CHECK(effective_stop_signal(c, image) == "SIGKILL");
  image.config.stop_signal = "INT";
  CHECK(effective_stop_signal(c, image) == "SIGINT");
  image.config.stop_signal = "SIGIOT";  // an alias: the CRI enum's own name comes back
  CHECK(effective_stop_signal(c, image) == "SIGABRT");
  c.lifecycle = kube::Lifecycle{};
  c.lifecycle->stop_signal = "SIGUSR1";
  CHECK(effective_stop_signal(c, image) == "SIGUSR1");

  CHECK(signal_name(SIGRTMIN) == "SIGRTMIN");
  CHECK(signal_name(SIGRTMIN + 15) == "SIGRTMIN+15");
  CHECK(signal_name(SIGRTMAX - 14) == "SIGRTMAX-14");
  CHECK(signal_name(SIGRTMAX) == "SIGRTMAX");
  CHECK(signal_name(SIGCHLD) == "SIGCHLD");
  CHECK(signal_name(SIGIO) == "SIGIO");
  for (const char* name : {"SIGHUP", "SIGUSR2", "SIGWINCH", "SIGRTMIN+3", "SIGRTMAX-2"})
    CHECK(signal_name(signal_number(name)) == name);
}
