// The daemon end to end on a container's environment from objects and on emptyDir limits:
// env valueFrom configMapKeyRef/secretKeyRef and envFrom with a prefix, seen by the process; a
// missing reference keeps the container in CreateContainerConfigError with kubelet's message
// until the object appears; optional references are skipped; invalid envFrom keys are skipped
// with kubelet's warning; an emptyDir written past its sizeLimit evicts the pod. Real
// containerd, real binaries.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const char* kEnvPod = R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: env
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "env > /tmp/env; exec sleep 3600"]
    env:
    - name: MODE
      valueFrom: {configMapKeyRef: {name: settings, key: mode}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password}}
    - name: MAYBE
      valueFrom: {configMapKeyRef: {name: absent, key: x, optional: true}}
    - name: BOTH
      value: "$(MODE)-$(CFG_level)"
    envFrom:
    - prefix: CFG_
      configMapRef: {name: settings}
    - secretRef: {name: absent-too, optional: true}
)yaml";

const char* kObjects = R"yaml(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
  level: "3"
  bad key: skipped
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: s3cret
)yaml";

}  // namespace

TEST_CASE("env from ConfigMaps and Secrets: CreateContainerConfigError until the objects exist, then the values", "[e2e][env]") {
  AgentHarness agent;
  agent.write_manifest("env.yaml", kEnvPod);
  REQUIRE(AgentHarness::eventually([&] {
    auto w = waiting(agent.pod("env"), "app");
    return !w.is_null() && w.value("reason", "") == "CreateContainerConfigError";
  }, 60s));
  auto w = waiting(agent.pod("env"), "app");
  CHECK(w["message"] == "configmap \"settings\" not found");

  agent.write_manifest("objects.yaml", kObjects);
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("env"), "app"); }, 30s));
  const auto pod = "env-" + agent.node();
  std::string env;
  REQUIRE(AgentHarness::eventually([&] {
    env = agent.nodectl("exec " + pod + " -c app -- cat /tmp/env").output;
    return env.find("MODE=") != std::string::npos;
  }, 10s));
  CHECK(env.find("MODE=fast\n") != std::string::npos);
  CHECK(env.find("PASSWORD=s3cret\n") != std::string::npos);
  CHECK(env.find("CFG_mode=fast\n") != std::string::npos);
  CHECK(env.find("CFG_level=3\n") != std::string::npos);
  CHECK(env.find("BOTH=fast-3\n") != std::string::npos);
  CHECK(env.find("MAYBE=") == std::string::npos);
  CHECK(env.find("bad key") == std::string::npos);
  const auto events = agent.nodectl("events").output;
  CHECK(events.find("InvalidEnvironmentVariableNames") != std::string::npos);
  CHECK(events.find("Keys [CFG_bad key] from the EnvFrom configMap default/settings were skipped") != std::string::npos);
  // The secret's value is the container's only: never in the agent's output.
  CHECK(agent.nodectl("pods -o json").output.find("s3cret") == std::string::npos);
  CHECK(agent.agent_log().find("s3cret") == std::string::npos);
}

TEST_CASE("a missing key is kubelet's error naming key and object", "[e2e][env]") {
  AgentHarness agent;
  agent.write_manifest("objects.yaml", R"yaml(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  other: "1"
)yaml");
  agent.write_manifest("env.yaml", R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: key
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    env:
    - name: MODE
      valueFrom: {configMapKeyRef: {name: settings, key: mode}}
)yaml");
  REQUIRE(AgentHarness::eventually([&] {
    auto w = waiting(agent.pod("key"), "app");
    return !w.is_null() && w.value("reason", "") == "CreateContainerConfigError";
  }, 60s));
  CHECK(waiting(agent.pod("key"), "app")["message"] == "couldn't find key mode in ConfigMap default/settings");
}

TEST_CASE("an emptyDir written past its sizeLimit evicts the pod with kubelet's reason and message", "[e2e][volumes]") {
  AgentHarness agent;
  agent.write_manifest("big.yaml", R"yaml(apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "sleep 1; dd if=/dev/zero of=/cache/blob bs=1M count=3; exec sleep 3600"]
    volumeMounts:
    - {name: cache, mountPath: /cache}
  volumes:
  - name: cache
    emptyDir: {sizeLimit: 1Mi}
)yaml");
  REQUIRE(AgentHarness::eventually([&] {
    auto pod = agent.pod("big");
    return !pod.is_null() && pod["status"].value("phase", "") == "Failed";
  }, 60s));
  auto status = agent.pod("big")["status"];
  CHECK(status["reason"] == "Evicted");
  CHECK(status["message"] == "Usage of EmptyDir volume \"cache\" exceeds the limit \"1Mi\". ");
  CHECK_FALSE(running(agent.pod("big"), "app"));
  CHECK(agent.nodectl("events").output.find("Evicted") != std::string::npos);
}
