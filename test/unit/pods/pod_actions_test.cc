#include <catch2/catch.hpp>

#include "agent/pods/pod_actions.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;
using namespace nodeagent::testing;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> started(const PodActions& a) {
  std::vector<std::string> names;
  for (const auto& s : a.start) names.push_back(s.name);
  return names;
}
}  // namespace

TEST_CASE("a new pod gets a sandbox and starts app containers in spec order") {
  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("web", {"a", "b"});
  PodRuntimeState state;
  auto actions = compute_pod_actions(p, state, backoff, clock.now());
  CHECK(actions.create_sandbox);
  CHECK(started(actions) == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(actions.pod_finished);
}

TEST_CASE("init containers run one at a time before app containers") {
  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("web", {"app"}, {"init1", "init2"});
  PodRuntimeState state;
  state.sandbox_ready = true;
  CHECK(started(compute_pod_actions(p, state, backoff, clock.now())) == std::vector<std::string>{"init1"});

  add(state, running("init1"));
  CHECK(compute_pod_actions(p, state, backoff, clock.now()).start.empty());

  state.containers.clear();
  add(state, exited("init1", 0, 0, clock.now()));
  CHECK(started(compute_pod_actions(p, state, backoff, clock.now())) == std::vector<std::string>{"init2"});

  add(state, exited("init2", 0, 0, clock.now()));
  CHECK(started(compute_pod_actions(p, state, backoff, clock.now())) == std::vector<std::string>{"app"});
}

TEST_CASE("a failed init container is retried, or fails the pod under Never") {
  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("web", {"app"}, {"init1"});
  PodRuntimeState state;
  state.sandbox_ready = true;
  add(state, exited("init1", 3, 0, clock.now()));

  auto retry = compute_pod_actions(p, state, backoff, clock.now());
  REQUIRE(retry.start.size() == 1);
  CHECK(retry.start[0].name == "init1");
  CHECK(retry.start[0].attempt == 1);

  p.spec.restart_policy = "Never";
  auto fail = compute_pod_actions(p, state, backoff, clock.now());
  CHECK(fail.pod_failed);
  CHECK(fail.start.empty());
  CHECK(fail.pod_failed_message == "init container init1 failed with exit code 3");
}

TEST_CASE("sidecars start in order and count as done once running") {
  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("web", {"app"}, {"proxy"});
  p.spec.init_containers[0].restart_policy = "Always";
  PodRuntimeState state;
  state.sandbox_ready = true;
  CHECK(started(compute_pod_actions(p, state, backoff, clock.now())) == std::vector<std::string>{"proxy"});
  add(state, running("proxy"));
  CHECK(started(compute_pod_actions(p, state, backoff, clock.now())) == std::vector<std::string>{"app"});

  SECTION("when the app container finishes under Never, the sidecar is stopped") {
    p.spec.restart_policy = "Never";
    add(state, exited("app", 0, 0, clock.now()));
    auto a = compute_pod_actions(p, state, backoff, clock.now());
    CHECK(a.pod_finished);
    REQUIRE(a.kill.size() == 1);
    CHECK(a.kill[0].name == "proxy");
  }
}

TEST_CASE("restart policies decide what an exited container does") {
  CHECK(should_restart("Always", 0));
  CHECK(should_restart("Always", 1));
  CHECK_FALSE(should_restart("OnFailure", 0));
  CHECK(should_restart("OnFailure", 2));
  CHECK_FALSE(should_restart("Never", 1));

  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("job", {"main"});
  p.spec.restart_policy = "OnFailure";
  PodRuntimeState state;
  state.sandbox_ready = true;
  add(state, exited("main", 0, 0, clock.now()));
  auto a = compute_pod_actions(p, state, backoff, clock.now());
  CHECK(a.start.empty());
  CHECK(a.pod_finished);
}

TEST_CASE("crash loop back-off: first restart immediate, then held back with CrashLoopBackOff") {
  ManualClock clock;
  Backoff backoff(clock);
  auto p = pod("web", {"app"});
  PodRuntimeState state;
  state.sandbox_ready = true;
  add(state, exited("app", 1, 0, clock.now()));

  auto first = compute_pod_actions(p, state, backoff, clock.now());
  REQUIRE(first.start.size() == 1);
  CHECK(first.start[0].restart);
  backoff.next(backoff_key(p, "app"), clock.now());  // what the syncer does when it restarts

  state.containers.clear();
  add(state, exited("app", 1, 1, clock.now()));
  auto second = compute_pod_actions(p, state, backoff, clock.now());
  CHECK(second.start.empty());
  REQUIRE(second.waiting.count("app"));
  CHECK(second.waiting["app"].reason == "CrashLoopBackOff");
  CHECK_THAT(second.waiting["app"].message, Catch::StartsWith("back-off 10s restarting failed container=app pod=web_default(uid-web)"));
  REQUIRE(second.requeue_after);
  CHECK(*second.requeue_after == 10s);

  clock.advance(10s);
  CHECK(compute_pod_actions(p, state, backoff, clock.now()).start.size() == 1);
}
