// generate_pod_status with sidecars (init containers with restartPolicy Always): they count as
// initialized once started, take part in ContainersReady, and never make a pod Failed.
#include <catch2/catch.hpp>

#include "agent/status/generate.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;

namespace {

kube::PodStatus generate(const kube::Pod& pod, const pods::PodRuntimeState& state, const ProbeResults& probes = {}) {
  return generate_pod_status(pod, state, {}, probes, "192.168.1.10", at(1000));
}

}  // namespace

TEST_CASE("a started sidecar completes initialization; the app then runs") {
  kube::Pod pod = make_pod("Always", {container("app")}, {container("setup"), sidecar("proxy")});
  kube::PodStatus s = generate(pod, runtime_state({exited("setup", 0), running("proxy"), running("app")}));
  CHECK(s.phase == "Running");
  CHECK(find_condition(s, "Initialized").status == "True");
  CHECK(find_status(s, "proxy").started == std::optional<bool>(true));
  CHECK(find_status(s, "proxy").ready);
  CHECK(find_condition(s, "Ready").status == "True");
}

TEST_CASE("a sidecar that has not passed its startup probe keeps the pod initializing") {
  kube::Container proxy = sidecar("proxy");
  proxy.startup_probe = exec_probe();
  kube::Pod pod = make_pod("Always", {container("app")}, {proxy});
  kube::PodStatus s = generate(pod, runtime_state({running("proxy")}));
  CHECK(s.phase == "Pending");
  CHECK(find_condition(s, "Initialized").message == "containers with incomplete status: [proxy]");
  CHECK(find_status(s, "app").state.waiting->reason == "PodInitializing");

  ProbeResults probes;
  probes.startup["proxy"] = ProbeResult{"proxy-0", true};
  s = generate(pod, runtime_state({running("proxy")}), probes);
  CHECK(find_condition(s, "Initialized").status == "True");
}

TEST_CASE("an unready sidecar makes the pod unready") {
  kube::Container proxy = sidecar("proxy");
  proxy.readiness_probe = exec_probe();
  kube::Pod pod = make_pod("Always", {container("app")}, {proxy});
  kube::PodStatus s = generate(pod, runtime_state({running("proxy"), running("app")}));
  CHECK(find_condition(s, "ContainersReady").message == "containers with unready status: [proxy]");
  CHECK(find_condition(s, "Ready").status == "False");
}

TEST_CASE("a job with a sidecar: Succeeded when the app completed, whatever the sidecar did") {
  kube::Pod pod = make_pod("Never", {container("job")}, {sidecar("proxy")});
  kube::PodStatus s = generate(pod, runtime_state({exited("proxy", 137), exited("job", 0)}));
  CHECK(s.phase == "Succeeded");
  s = generate(pod, runtime_state({running("proxy"), exited("job", 0)}));
  CHECK(s.phase == "Running");  // the sidecar is still being stopped
  s = generate(pod, runtime_state({exited("proxy", 0), exited("job", 1)}));
  CHECK(s.phase == "Failed");
}

TEST_CASE("a sidecar restarting after the pod initialized does not put it back to Pending") {
  kube::Pod pod = make_pod("Always", {container("app")}, {sidecar("proxy")});
  auto state = runtime_state({exited("proxy", 1, 0), created("proxy", 1), running("app")});
  kube::PodStatus s = generate(pod, state);
  CHECK(s.phase == "Running");
  CHECK(find_condition(s, "Initialized").status == "True");
}

TEST_CASE("a crashing sidecar under restartPolicy Never is restarted, not failed") {
  kube::Pod pod = make_pod("Never", {container("app")}, {sidecar("proxy")});
  auto state = runtime_state({exited("proxy", 1, 0), running("app")});
  state.waiting["proxy"] = pods::WaitingReason{"CrashLoopBackOff", "back-off 10s"};
  kube::PodStatus s = generate(pod, state);
  CHECK(find_status(s, "proxy").state.waiting->reason == "CrashLoopBackOff");
  CHECK(s.phase == "Running");
}
