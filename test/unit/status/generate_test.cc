// generate_pod_status: phase rules (table), container states, conditions and their messages,
// lastTransitionTime, IPs, QoS, pod-level failures.
#include <catch2/catch.hpp>

#include "agent/status/generate.h"
#include "kube/decode.h"
#include "kube/encode.h"
#include "kube/qos.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;

namespace {

kube::PodStatus generate(const kube::Pod& pod, const pods::PodRuntimeState& state,
                         const kube::PodStatus& previous = {}, const ProbeResults& probes = {}, int now = 1000) {
  return generate_pod_status(pod, state, previous, probes, "192.168.1.10", at(now));
}

pods::PodRuntimeState with_waiting(pods::PodRuntimeState s, const std::string& name, const std::string& reason,
                                   const std::string& message = "") {
  s.waiting[name] = pods::WaitingReason{reason, message};
  return s;
}

}  // namespace

TEST_CASE("phase follows restartPolicy and container states, as kubelet's getPhase") {
  struct Case {
    const char* name;
    kube::Pod pod;
    pods::PodRuntimeState state;
    const char* phase;
  };
  auto app2 = [](const std::string& policy) { return make_pod(policy, {container("a"), container("b")}); };
  auto with_init = [](const std::string& policy) {
    return make_pod(policy, {container("app")}, {container("init1"), container("init2")});
  };
  std::vector<Case> cases = {
      {"nothing started yet", app2("Always"), runtime_state({}, false), "Pending"},
      {"one running, one not created yet", app2("Always"), runtime_state({running("a")}), "Pending"},
      {"all running", app2("Always"), runtime_state({running("a"), running("b")}), "Running"},
      {"Never: one failed, one running", app2("Never"), runtime_state({exited("a", 1), running("b")}), "Running"},
      {"Never: one failed, all stopped", app2("Never"), runtime_state({exited("a", 1), exited("b", 0)}), "Failed"},
      {"Never: all exited 0", app2("Never"), runtime_state({exited("a", 0), exited("b", 0)}), "Succeeded"},
      {"OnFailure: all exited 0", app2("OnFailure"), runtime_state({exited("a", 0), exited("b", 0)}), "Succeeded"},
      {"OnFailure: one failed (restarting)", app2("OnFailure"), runtime_state({exited("a", 0), exited("b", 2)}),
       "Running"},
      {"Always: all exited 0 is never Succeeded", app2("Always"), runtime_state({exited("a", 0), exited("b", 0)}),
       "Running"},
      {"Always: all failed is never Failed", app2("Always"), runtime_state({exited("a", 1), exited("b", 1)}),
       "Running"},
      {"Always: crash looping (waiting with a last termination)", app2("Always"),
       with_waiting(runtime_state({exited("a", 1, 3), running("b")}), "a", "CrashLoopBackOff"), "Running"},
      {"init running", with_init("Always"), runtime_state({exited("init1", 0), running("init2")}), "Pending"},
      {"init failed, Never", with_init("Never"), runtime_state({exited("init1", 1)}), "Failed"},
      {"init failed, OnFailure (will retry)", with_init("OnFailure"),
       with_waiting(runtime_state({exited("init1", 1)}), "init1", "CrashLoopBackOff"), "Pending"},
      {"init failed, Always (will retry)", with_init("Always"), runtime_state({exited("init1", 1)}), "Pending"},
      {"inits done, app running", with_init("Never"),
       runtime_state({exited("init1", 0), exited("init2", 0), running("app")}), "Running"},
      {"inits done, app completed, Never", with_init("Never"),
       runtime_state({exited("init1", 0), exited("init2", 0), exited("app", 0)}), "Succeeded"},
      {"image pull failing", app2("Always"),
       with_waiting(runtime_state({running("a")}), "b", "ErrImagePull", "pull access denied"), "Pending"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(generate(c.pod, c.state).phase == c.phase); }
  }
}

TEST_CASE("a new pod: waiting ContainerCreating, conditions False with kubelet's messages") {
  kube::Pod pod = make_pod("Always", {container("a"), container("b")});
  kube::PodStatus s = generate(pod, runtime_state({}, false));

  REQUIRE(s.container_statuses.size() == 2);
  const auto& a = s.container_statuses[0];
  CHECK(a.name == "a");
  CHECK(a.image == "busybox:1.36");
  REQUIRE(a.state.waiting);
  CHECK(a.state.waiting->reason == "ContainerCreating");
  CHECK_FALSE(a.ready);
  CHECK(a.started == std::optional<bool>(false));
  CHECK(a.restart_count == 0);
  CHECK(a.container_id.empty());

  CHECK(find_condition(s, "PodReadyToStartContainers").status == "False");
  CHECK(find_condition(s, "Initialized").status == "True");
  const auto& ready = find_condition(s, "Ready");
  CHECK(ready.status == "False");
  CHECK(ready.reason == "ContainersNotReady");
  CHECK(ready.message == "containers with unready status: [a b]");
  const auto& containers_ready = find_condition(s, "ContainersReady");
  CHECK(containers_ready.reason == "ContainersNotReady");
  CHECK(containers_ready.message == "containers with unready status: [a b]");
  CHECK(find_condition(s, "PodScheduled").status == "True");
  // kubelet's order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled.
  std::vector<std::string> order;
  for (const auto& c : s.conditions) order.push_back(c.type);
  CHECK(order == std::vector<std::string>{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                          "PodScheduled"});
  for (const auto& c : s.conditions) CHECK(c.last_transition_time == at(1000));
  CHECK(s.start_time == at(1000));
  CHECK(s.qos_class == "BestEffort");
  CHECK(s.host_ip == "192.168.1.10");
  REQUIRE(s.host_ips.size() == 1);
  CHECK(s.pod_ip.empty());
}

TEST_CASE("running containers without probes are started and ready") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus s = generate(pod, runtime_state({running("a", 2)}));
  const auto& a = find_status(s, "a");
  REQUIRE(a.state.running);
  CHECK(a.state.running->started_at == at(211));
  CHECK(a.ready);
  CHECK(a.started == std::optional<bool>(true));
  CHECK(a.restart_count == 2);
  CHECK(a.container_id == "containerd://a-2");
  CHECK(a.image_id == "sha256:abc");
  CHECK(a.image == "busybox:1.36");
  CHECK(s.phase == "Running");
  CHECK(find_condition(s, "Ready").status == "True");
  CHECK(find_condition(s, "ContainersReady").status == "True");
  CHECK(find_condition(s, "PodReadyToStartContainers").status == "True");
  CHECK(s.pod_ip == "10.88.0.5");
  REQUIRE(s.pod_ips.size() == 1);
  CHECK(s.pod_ips[0].ip == "10.88.0.5");
}

TEST_CASE("terminated state: Completed, Error, OOMKilled, termination message, times, containerID") {
  kube::Pod pod = make_pod("Never", {container("ok"), container("bad"), container("oom")});
  auto bad = exited("bad", 3);
  bad.termination_message = "config file missing";
  auto oom = exited("oom", 137);
  oom.state.oom_killed = true;
  kube::PodStatus s = generate(pod, runtime_state({exited("ok", 0), bad, oom}));

  const auto& ok_t = *find_status(s, "ok").state.terminated;
  CHECK(ok_t.reason == "Completed");
  CHECK(ok_t.exit_code == 0);
  CHECK(ok_t.started_at == at(11));
  CHECK(ok_t.finished_at == at(50));
  CHECK(ok_t.container_id == "containerd://ok-0");
  const auto& bad_t = *find_status(s, "bad").state.terminated;
  CHECK(bad_t.reason == "Error");
  CHECK(bad_t.exit_code == 3);
  CHECK(bad_t.message == "config file missing");
  CHECK(find_status(s, "oom").state.terminated->reason == "OOMKilled");
  CHECK(s.phase == "Failed");
  CHECK(find_condition(s, "ContainersReady").reason == "PodFailed");
  CHECK(find_condition(s, "Ready").reason == "PodFailed");
}

TEST_CASE("succeeded pod: ContainersReady and Ready False with reason PodCompleted") {
  kube::Pod pod = make_pod("OnFailure", {container("a")});
  kube::PodStatus s = generate(pod, runtime_state({exited("a", 0)}));
  CHECK(s.phase == "Succeeded");
  CHECK(find_condition(s, "ContainersReady").reason == "PodCompleted");
  CHECK(find_condition(s, "Ready").status == "False");
  CHECK(find_condition(s, "Ready").reason == "PodCompleted");
}

TEST_CASE("CrashLoopBackOff: waiting with the worker's reason, the exit in lastState, restartCount = attempt") {
  kube::Pod pod = make_pod("Always", {container("a")});
  auto state = with_waiting(runtime_state({exited("a", 1, 2), exited("a", 1, 3)}), "a", "CrashLoopBackOff",
                            "back-off 40s restarting failed container=a pod=web_default(uid-1)");
  kube::PodStatus s = generate(pod, state);
  const auto& a = find_status(s, "a");
  REQUIRE(a.state.waiting);
  CHECK(a.state.waiting->reason == "CrashLoopBackOff");
  CHECK(a.state.waiting->message == "back-off 40s restarting failed container=a pod=web_default(uid-1)");
  REQUIRE(a.last_state.terminated);
  CHECK(a.last_state.terminated->container_id == "containerd://a-3");
  CHECK(a.last_state.terminated->exit_code == 1);
  CHECK(a.restart_count == 3);
  CHECK_FALSE(a.ready);
}

TEST_CASE("the newest instance gives state, the one before it lastState") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus s = generate(pod, runtime_state({exited("a", 2, 0), running("a", 1)}));
  const auto& a = find_status(s, "a");
  CHECK(a.state.running);
  REQUIRE(a.last_state.terminated);
  CHECK(a.last_state.terminated->exit_code == 2);
  CHECK(a.last_state.terminated->container_id == "containerd://a-0");
  CHECK(a.restart_count == 1);
}

TEST_CASE("a waiting reason is ignored for a container that will not be started again") {
  kube::Pod pod = make_pod("Never", {container("a")});
  kube::PodStatus s = generate(pod, with_waiting(runtime_state({exited("a", 1)}), "a", "CrashLoopBackOff"));
  CHECK(find_status(s, "a").state.terminated);
  CHECK(s.phase == "Failed");
}

TEST_CASE("created but not started: waiting without a reason, or the worker's reason") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus s = generate(pod, runtime_state({created("a")}));
  REQUIRE(find_status(s, "a").state.waiting);
  CHECK(find_status(s, "a").state.waiting->reason.empty());
  s = generate(pod, with_waiting(runtime_state({created("a")}), "a", "CreateContainerError", "no such file"));
  CHECK(find_status(s, "a").state.waiting->reason == "CreateContainerError");
  CHECK(find_status(s, "a").state.waiting->message == "no such file");
}

TEST_CASE("init containers: PodInitializing while they run, ready once completed") {
  kube::Pod pod = make_pod("Always", {container("app")}, {container("init1"), container("init2")});

  SECTION("first init container running") {
    kube::PodStatus s = generate(pod, runtime_state({running("init1")}));
    CHECK(s.phase == "Pending");
    CHECK(find_status(s, "app").state.waiting->reason == "PodInitializing");
    CHECK(find_status(s, "init2").state.waiting->reason == "PodInitializing");
    CHECK_FALSE(find_status(s, "init1").ready);
    const auto& init = find_condition(s, "Initialized");
    CHECK(init.status == "False");
    CHECK(init.reason == "ContainersNotInitialized");
    CHECK(init.message == "containers with incomplete status: [init1 init2]");
  }
  SECTION("all completed, app running") {
    kube::PodStatus s = generate(pod, runtime_state({exited("init1", 0), exited("init2", 0), running("app")}));
    CHECK(find_status(s, "init1").ready);
    CHECK(find_status(s, "init2").ready);
    CHECK(find_status(s, "init2").state.terminated->reason == "Completed");
    CHECK(find_condition(s, "Initialized").status == "True");
    CHECK(find_condition(s, "Ready").status == "True");
    REQUIRE(s.init_container_statuses.size() == 2);
    CHECK(s.init_container_statuses[0].name == "init1");  // spec order
  }
  SECTION("an init container failing under restartPolicy Always") {
    auto state = with_waiting(runtime_state({exited("init1", 0), exited("init2", 1, 1)}), "init2", "CrashLoopBackOff");
    kube::PodStatus s = generate(pod, state);
    CHECK(s.phase == "Pending");
    CHECK(find_status(s, "init2").state.waiting->reason == "CrashLoopBackOff");
    CHECK(find_status(s, "init2").last_state.terminated->exit_code == 1);
    CHECK(find_condition(s, "Initialized").message == "containers with incomplete status: [init2]");
  }
  SECTION("a completed init container gone from containerd after the app started counts as completed") {
    kube::PodStatus s = generate(pod, runtime_state({exited("init2", 0), running("app")}));
    const auto& init1 = find_status(s, "init1");
    REQUIRE(init1.state.terminated);
    CHECK(init1.state.terminated->reason == "Completed");
    CHECK(init1.ready);
    CHECK(s.phase == "Running");
  }
}

TEST_CASE("readiness and startup probes decide ready and started") {
  kube::Container a = container("a");
  a.readiness_probe = exec_probe();
  kube::Container b = container("b");
  b.startup_probe = exec_probe();
  kube::Pod pod = make_pod("Always", {a, b});
  auto state = runtime_state({running("a", 1), running("b")});

  SECTION("no results yet: a started but not ready, b not started") {
    kube::PodStatus s = generate(pod, state);
    CHECK(find_status(s, "a").started == std::optional<bool>(true));
    CHECK_FALSE(find_status(s, "a").ready);
    CHECK(find_status(s, "b").started == std::optional<bool>(false));
    CHECK_FALSE(find_status(s, "b").ready);
    CHECK(find_condition(s, "ContainersReady").message == "containers with unready status: [a b]");
    CHECK(s.phase == "Running");
  }
  SECTION("results for the current instances") {
    ProbeResults probes;
    probes.readiness["a"] = ProbeResult{"a-1", true};
    probes.startup["b"] = ProbeResult{"", true};
    kube::PodStatus s = generate(pod, state, {}, probes);
    CHECK(find_status(s, "a").ready);
    CHECK(find_status(s, "b").started == std::optional<bool>(true));
    CHECK(find_status(s, "b").ready);
    CHECK(find_condition(s, "Ready").status == "True");
  }
  SECTION("a result about an older instance is ignored") {
    ProbeResults probes;
    probes.readiness["a"] = ProbeResult{"a-0", true};
    CHECK_FALSE(find_status(generate(pod, state, {}, probes), "a").ready);
  }
  SECTION("a failed readiness probe") {
    ProbeResults probes;
    probes.readiness["a"] = ProbeResult{"a-1", false};
    probes.startup["b"] = ProbeResult{"b-0", true};
    kube::PodStatus s = generate(pod, state, {}, probes);
    CHECK(find_condition(s, "Ready").message == "containers with unready status: [a]");
  }
}

TEST_CASE("lastTransitionTime moves only when a condition's status changes") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus first = generate(pod, runtime_state({}, false), {}, {}, 100);
  kube::PodStatus second = generate(pod, runtime_state({running("a")}), first, {}, 200);
  CHECK(find_condition(second, "PodScheduled").last_transition_time == at(100));
  CHECK(find_condition(second, "Initialized").last_transition_time == at(100));
  CHECK(find_condition(second, "Ready").last_transition_time == at(200));
  CHECK(find_condition(second, "PodReadyToStartContainers").last_transition_time == at(200));
  kube::PodStatus third = generate(pod, runtime_state({running("a")}), second, {}, 300);
  CHECK(find_condition(third, "Ready").last_transition_time == at(200));
  CHECK(third.start_time == at(100));
}

TEST_CASE("pod-level failure: DeadlineExceeded makes the pod Failed with reason and message") {
  kube::Pod pod = make_pod("Always", {container("a")});
  auto state = runtime_state({running("a")});
  state.pod_failure_reason = "DeadlineExceeded";
  state.pod_failure_message = "Pod was active on the node longer than the specified deadline";
  kube::PodStatus s = generate(pod, state);
  CHECK(s.phase == "Failed");
  CHECK(s.reason == "DeadlineExceeded");
  CHECK(s.message == "Pod was active on the node longer than the specified deadline");
  CHECK(find_condition(s, "Ready").reason == "PodFailed");

  SECTION("the reason stays with the phase on later syncs") {
    auto later = runtime_state({exited("a", 137)});
    kube::PodStatus next = generate(pod, later, s);
    CHECK(next.phase == "Failed");
    CHECK(next.reason == "DeadlineExceeded");
  }
}

TEST_CASE("a pod never leaves a terminal phase") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus previous;
  previous.phase = "Succeeded";
  CHECK(generate(pod, runtime_state({running("a")}), previous).phase == "Succeeded");
  kube::Pod api_failed = pod;
  api_failed.status.phase = "Failed";
  CHECK(generate(api_failed, runtime_state({running("a")})).phase == "Failed");
}

TEST_CASE("pod_is_terminal: stopped containers end the pod even under Always, but not a static pod") {
  kube::Pod pod = make_pod("Always", {container("a"), container("b")});
  auto state = runtime_state({exited("a", 0), exited("b", 137)});
  CHECK(generate_pod_status(pod, state, {}, {}, "", at(1), true).phase == "Failed");
  pod.metadata.annotations["kubernetes.io/config.source"] = "file";
  CHECK(generate_pod_status(pod, state, {}, {}, "", at(1), true).phase == "Running");
}

TEST_CASE("readiness gates: Ready waits for the gate's condition") {
  kube::Pod pod = make_pod("Always", {container("a")});
  pod.spec.readiness_gates.push_back(kube::PodReadinessGate{"example.com/lb"});
  kube::PodStatus s = generate(pod, runtime_state({running("a")}));
  CHECK(find_condition(s, "ContainersReady").status == "True");
  CHECK(find_condition(s, "Ready").status == "False");
  CHECK(find_condition(s, "Ready").reason == "ReadinessGatesNotReady");
  CHECK(find_condition(s, "Ready").message ==
        "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.");

  pod.status.conditions.push_back(kube::PodCondition{"example.com/lb", "True", std::nullopt, at(5), "", ""});
  s = generate(pod, runtime_state({running("a")}));
  CHECK(find_condition(s, "Ready").status == "True");
  CHECK(find_condition(s, "example.com/lb").last_transition_time == at(5));  // kept as the API has it
}

TEST_CASE("IPs: host IPs, pod IPs kept after the sandbox is gone, host network pods") {
  kube::Pod pod = make_pod("Always", {container("a")});
  kube::PodStatus running_status = generate(pod, runtime_state({running("a")}));
  kube::PodStatus stopped = generate(pod, runtime_state({exited("a", 0)}, false), running_status);
  CHECK(stopped.pod_ip == "10.88.0.5");

  pod.spec.host_network = true;
  kube::PodStatus host = generate(pod, runtime_state({running("a")}, false));
  CHECK(host.pod_ip == "192.168.1.10");
  CHECK(host.host_ips.at(0).ip == "192.168.1.10");
}

TEST_CASE("QoS class") {
  auto with_resources = [](kube::ResourceList requests, kube::ResourceList limits) {
    kube::Container c = container("a");
    c.resources.requests = std::move(requests);
    c.resources.limits = std::move(limits);
    return c;
  };
  auto q = [](int64_t milli) { return kube::Quantity::from_milli(milli); };
  CHECK(kube::qos_class(make_pod("Always", {container("a")}).spec) == kube::QosClass::kBestEffort);
  CHECK(kube::qos_class(make_pod("Always", {with_resources({{"cpu", q(100)}}, {})}).spec) == kube::QosClass::kBurstable);
  CHECK(kube::qos_class(make_pod("Always", {with_resources({{"cpu", q(100)}, {"memory", q(64)}},
                                                         {{"cpu", q(100)}, {"memory", q(64)}})})
                          .spec) == kube::QosClass::kGuaranteed);
  CHECK(kube::qos_class(make_pod("Always", {with_resources({{"cpu", q(100)}, {"memory", q(64)}},
                                                         {{"cpu", q(200)}, {"memory", q(64)}})})
                          .spec) == kube::QosClass::kBurstable);
  // One container without limits makes the whole pod Burstable.
  CHECK(kube::qos_class(make_pod("Always", {with_resources({{"cpu", q(100)}, {"memory", q(64)}},
                                                         {{"cpu", q(100)}, {"memory", q(64)}}),
                                          container("b")})
                          .spec) == kube::QosClass::kBurstable);
  // Resources other than cpu and memory do not count.
  CHECK(kube::qos_class(make_pod("Always", {with_resources({{"ephemeral-storage", q(1000)}}, {})}).spec) ==
        kube::QosClass::kBestEffort);
}

TEST_CASE("stopSignal: the runtime's effective stop signal, only for containers the runtime has") {
  kube::Pod pod = make_pod("Always", {container("a"), container("b"), container("c")});
  auto a = running("a");
  a.stop_signal = "SIGUSR1";
  auto b = exited("b", 0);
  b.stop_signal = "SIGTERM";
  // c has no instance yet: waiting, and no stop signal (kubelet reads it from the CRI status).
  kube::PodStatus s = generate(pod, runtime_state({a, b}));
  CHECK(find_status(s, "a").stop_signal == "SIGUSR1");
  CHECK(find_status(s, "b").stop_signal == "SIGTERM");
  CHECK(find_status(s, "c").stop_signal.empty());

  kube::Pod with_status = pod;
  with_status.status = s;
  auto json = kube::encode(with_status);
  const auto& statuses = json["status"]["containerStatuses"];
  REQUIRE(statuses.size() == 3);
  CHECK(statuses[0]["stopSignal"] == "SIGUSR1");
  CHECK(statuses[1]["stopSignal"] == "SIGTERM");
  CHECK_FALSE(statuses[2].contains("stopSignal"));
  // And read back (the API server's copy of the status).
  auto decoded = kube::decode_pod_status(json["status"]);
  REQUIRE(decoded.ok());
  CHECK(decoded->object.container_statuses[0].stop_signal == "SIGUSR1");
  CHECK(decoded->warnings.empty());
}
