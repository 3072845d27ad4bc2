// generate_pod_status across agent restarts and lost containers: what the previous status (read
// back from status.json) contributes when containerd no longer has an instance.
#include <catch2/catch.hpp>

#include "agent/status/generate.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;

namespace {

kube::PodStatus generate(const kube::Pod& pod, const pods::PodRuntimeState& state, const kube::PodStatus& previous,
                         int now = 1000) {
  return generate_pod_status(pod, state, previous, {}, "192.168.1.10", at(now));
}

}  // namespace

TEST_CASE("a terminated container containerd no longer has keeps its previous status") {
  kube::Pod pod = make_pod("OnFailure", {container("a")});
  kube::PodStatus before = generate(pod, runtime_state({exited("a", 0, 4)}), {});
  REQUIRE(before.phase == "Succeeded");
  kube::PodStatus after = generate(pod, runtime_state({}, false), before, 2000);
  const auto& a = find_status(after, "a");
  REQUIRE(a.state.terminated);
  CHECK(a.state.terminated->exit_code == 0);
  CHECK(a.restart_count == 4);
  CHECK(after.phase == "Succeeded");
  CHECK(after.start_time == before.start_time);
}

TEST_CASE("a new instance after the old one was removed: lastState and restartCount carried over") {
  kube::Pod pod = make_pod("Always", {container("a")});
  auto crashed = runtime_state({exited("a", 2, 3)});
  crashed.waiting["a"] = pods::WaitingReason{"CrashLoopBackOff", "back-off"};
  kube::PodStatus before = generate(pod, crashed, {});
  REQUIRE(find_status(before, "a").state.waiting);

  // Agent restarted, containerd lost attempt 3, the worker started attempt 4.
  kube::PodStatus after = generate(pod, runtime_state({running("a", 4)}), before);
  const auto& a = find_status(after, "a");
  CHECK(a.state.running);
  CHECK(a.restart_count == 4);
  REQUIRE(a.last_state.terminated);
  CHECK(a.last_state.terminated->exit_code == 2);
  CHECK(a.last_state.terminated->container_id == "containerd://a-3");
}

TEST_CASE("a terminated previous state of the same instance is not duplicated into lastState") {
  kube::Pod pod = make_pod("Never", {container("a")});
  kube::PodStatus before = generate(pod, runtime_state({exited("a", 1)}), {});
  kube::PodStatus after = generate(pod, runtime_state({exited("a", 1)}), before);
  CHECK_FALSE(find_status(after, "a").last_state.terminated);
}

TEST_CASE("a running container that vanished is reported as ended with an unknown status") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus before = generate(pod, runtime_state({running("a", 1)}), {});
  kube::PodStatus after = generate(pod, runtime_state({}), before);
  const auto& a = find_status(after, "a");
  REQUIRE(a.state.waiting);
  CHECK(a.state.waiting->reason == "ContainerCreating");
  REQUIRE(a.last_state.terminated);
  CHECK(a.last_state.terminated->reason == "ContainerStatusUnknown");
  CHECK(a.last_state.terminated->exit_code == 137);
  CHECK(a.restart_count == 2);
  CHECK(after.phase == "Running");  // it has run: not back to Pending
}
