// The daemon end to end on what kubelet does with a pod's configuration before and as its
// containers start: QoS classes and their cgroups (a Guaranteed pod included), admission by
// nodeSelector and node affinity, Service environment variables, hostPath type errors, the
// termination message from the log, and the AGE column. Real containerd, real binaries.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "agent_harness.h"
#include "pod_json.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The v1 cgroup dir of the pod's cgroup in the hierarchy of `controller`, found by the pod UID.
std::string pod_cgroup(const std::string& controller, const std::string& uid) {
  std::string hierarchy = "/sys/fs/cgroup/" + controller;
  if (!std::filesystem::exists(hierarchy)) hierarchy = "/sys/fs/cgroup/cpu,cpuacct";  // co-mounted
  for (const auto& e : std::filesystem::recursive_directory_iterator(hierarchy))
    if (e.is_directory() && e.path().filename() == "pod" + uid) return e.path().string();
  return "";
}

const char* kSleeper = R"(    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
)";

}  // namespace

TEST_CASE("Guaranteed, Burstable and BestEffort pods run, each in its QoS cgroup with its limits", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("guaranteed.yaml", pod_yaml("guaranteed", std::string(R"(  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    resources:
      limits: {cpu: 100m, memory: 100Mi}
)") + kSleeper));
  agent.write_manifest("burstable.yaml", pod_yaml("burstable", std::string(R"(  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    resources:
      requests: {cpu: 50m, memory: 50Mi}
      limits: {cpu: 200m, memory: 64Mi}
)") + kSleeper));
  agent.write_manifest("besteffort.yaml", pod_yaml("besteffort", std::string(R"(  terminationGracePeriodSeconds: 2
  containers:
  - name: app
)") + kSleeper));

  for (const char* name : {"guaranteed", "burstable", "besteffort"}) {
    INFO(name << ": " << agent.pod(name).dump());
    REQUIRE(AgentHarness::eventually([&] { return running(agent.pod(name), "app"); }, 60s));
  }
  auto guaranteed = agent.pod("guaranteed");
  CHECK(guaranteed["status"]["qosClass"] == "Guaranteed");
  CHECK(agent.pod("burstable")["status"]["qosClass"] == "Burstable");
  CHECK(agent.pod("besteffort")["status"]["qosClass"] == "BestEffort");
  CHECK(container_status(guaranteed, "app")["restartCount"] == 0);

  // The pod cgroups, as kubelet lays them out: Guaranteed directly under kubepods.
  const std::string g = pod_cgroup("memory", guaranteed["metadata"]["uid"]);
  REQUIRE_FALSE(g.empty());
  CHECK(std::filesystem::path(g).parent_path().filename() == "kubepods");
  CHECK(read_file(g + "/memory.limit_in_bytes") == std::to_string(100 << 20));
  const std::string g_cpu = pod_cgroup("cpu", guaranteed["metadata"]["uid"]);
  REQUIRE_FALSE(g_cpu.empty());
  CHECK(read_file(g_cpu + "/cpu.cfs_quota_us") == "10000");
  CHECK(read_file(g_cpu + "/cpu.shares") == "102");
  const std::string b = pod_cgroup("memory", agent.pod("burstable")["metadata"]["uid"]);
  CHECK(std::filesystem::path(b).parent_path().filename() == "burstable");
  CHECK(read_file(b + "/memory.limit_in_bytes") == std::to_string(64 << 20));
  const std::string be = pod_cgroup("cpu", agent.pod("besteffort")["metadata"]["uid"]);
  CHECK(std::filesystem::path(be).parent_path().filename() == "besteffort");
  CHECK(read_file(be + "/cpu.shares") == "2");

  // kubelet's -997 for Guaranteed containers where the node may lower scores; else the lowest it
  // can give (not below the agent's own, which the container would inherit) instead of a
  // container that never starts. Burstable ranks by memory request, BestEffort dies first.
  auto adj_of = [&](const std::string& pod) {
    const int pid = agent.container_pid(pod, "app");
    REQUIRE(pid > 0);
    return std::stoi(read_file("/proc/" + std::to_string(pid) + "/oom_score_adj"));
  };
  const int g_adj = adj_of("guaranteed"), b_adj = adj_of("burstable"), be_adj = adj_of("besteffort");
  if (agent.agent_log().find("no CAP_SYS_RESOURCE") == std::string::npos) {
    CHECK(g_adj == -997);
  } else {
    CHECK(g_adj >= std::stoi(read_file("/proc/self/oom_score_adj")));
    CHECK(g_adj <= 1);  // the shim's own (containerd's + 1), inherited
  }
  CHECK(b_adj > g_adj);
  CHECK(b_adj < 1000);
  CHECK(be_adj == 1000);
}

TEST_CASE("nodeSelector and required node affinity are admitted against the node's labels", "[e2e]") {
  AgentOptions options;
  options.extra_flags = {"--node-labels", "disk=ssd,node.kubernetes.io/pool=blue"};
  AgentHarness agent(options);
  agent.write_manifest("elsewhere.yaml", pod_yaml("elsewhere", std::string(R"(  nodeSelector: {hostname: node-1}
  containers:
  - name: app
)") + kSleeper));
  agent.write_manifest("affinity.yaml", pod_yaml("affinity", std::string(R"(  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: disk, operator: In, values: [hdd]}
  containers:
  - name: app
)") + kSleeper));
  agent.write_manifest("here.yaml", pod_yaml("here", std::string(R"(  terminationGracePeriodSeconds: 2
  nodeSelector: {kubernetes.io/os: linux, disk: ssd}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: node.kubernetes.io/pool, operator: NotIn, values: [red]}
          matchFields:
          - {key: metadata.name, operator: In, values: [)") + agent.node() + R"(]}
  containers:
  - name: app
)" + kSleeper));

  for (const char* name : {"elsewhere", "affinity"}) {
    INFO(name);
    REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod(name)) == "Failed"; }, 30s));
    auto pod = agent.pod(name);
    CHECK(pod["status"]["reason"] == "NodeAffinity");
    CHECK(pod["status"]["message"] ==
          "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
    CHECK(agent.container_pid(name, "app") == 0);  // nothing of it runs
  }
  CHECK_THAT(agent.nodectl("events").output, Catch::Contains("NodeAffinity"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("here"), "app"); }, 60s));
  // Nothing was created for the refused pods.
  auto ps = agent.nodectl("ps -a").output;
  CHECK(ps.find("elsewhere-") == std::string::npos);
  CHECK(ps.find("affinity-") == std::string::npos);
}

TEST_CASE("containers get the Service variables of their namespace; explicit env wins", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("services.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: redis-primary}
spec:
  clusterIP: 10.96.0.20
  ports:
  - {name: redis, port: 6379}
  - {name: metrics, port: 9121, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: team}
spec:
  clusterIP: 10.96.0.30
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec:
  clusterIP: 10.96.0.1
  ports: [{name: https, port: 443}]
)");
  std::this_thread::sleep_for(2s);  // read (inotify) before the pods that follow
  agent.write_manifest("env.yaml", pod_yaml("env", R"yaml(  restartPolicy: Never
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "env | sort"]
    env:
    - {name: REDIS_PRIMARY_SERVICE_PORT_METRICS, value: mine}
    - {name: URL, value: "redis://$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)"}
)yaml"));
  agent.write_manifest("nolinks.yaml", pod_yaml("nolinks", R"(  restartPolicy: Never
  enableServiceLinks: false
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "env | sort"]
)"));
  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("env")) == "Succeeded"; }, 60s));
  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("nolinks")) == "Succeeded"; }, 60s));
  auto env = agent.nodectl("logs env-" + agent.node()).output;
  for (const char* line : {"REDIS_PRIMARY_SERVICE_HOST=10.96.0.20\n", "REDIS_PRIMARY_SERVICE_PORT=6379\n",
                           "REDIS_PRIMARY_SERVICE_PORT_REDIS=6379\n", "REDIS_PRIMARY_SERVICE_PORT_METRICS=mine\n",
                           "REDIS_PRIMARY_PORT=tcp://10.96.0.20:6379\n", "REDIS_PRIMARY_PORT_6379_TCP=tcp://10.96.0.20:6379\n",
                           "REDIS_PRIMARY_PORT_6379_TCP_ADDR=10.96.0.20\n", "REDIS_PRIMARY_PORT_6379_TCP_PORT=6379\n",
                           "REDIS_PRIMARY_PORT_6379_TCP_PROTO=tcp\n", "REDIS_PRIMARY_PORT_9121_UDP=udp://10.96.0.20:9121\n",
                           "URL=redis://10.96.0.20:6379\n", "KUBERNETES_SERVICE_HOST=10.96.0.1\n",
                           "KUBERNETES_SERVICE_PORT_HTTPS=443\n"}) {
    CHECK_THAT(env, Catch::Contains(line));
  }
  CHECK_THAT(env, !Catch::Contains("OTHER_SERVICE_HOST"));  // another namespace
  auto nolinks = agent.nodectl("logs nolinks-" + agent.node()).output;
  CHECK_THAT(nolinks, !Catch::Contains("REDIS_PRIMARY_SERVICE_HOST"));
  CHECK_THAT(nolinks, Catch::Contains("KUBERNETES_SERVICE_HOST=10.96.0.1\n"));  // always
}

TEST_CASE("FallbackToLogsOnError takes the log's tail, an unterminated last line included", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("fallback.yaml", pod_yaml("fallback", R"(  restartPolicy: Never
  containers:
  - name: partial
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo first; echo -n DONE; false"]
  - name: ok
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo -n fine"]
)"));
  REQUIRE(AgentHarness::eventually([&] { return phase(agent.pod("fallback")) == "Failed"; }, 60s));
  auto pod = agent.pod("fallback");
  auto partial = container_status(pod, "partial")["state"]["terminated"];
  CHECK(partial["exitCode"] == 1);
  CHECK(partial["message"] == "first\nDONE\n");
  // Only a failed container falls back to its log.
  CHECK_FALSE(container_status(pod, "ok")["state"]["terminated"].contains("message"));
  // The log has the line too, and the exited containers' shims are gone.
  CHECK(agent.nodectl("logs fallback-" + agent.node() + " -c partial").output == "first\nDONE\n");
  const auto shims = run_command("pgrep -af '[c]ontainerd-shim.*-namespace " + agent.ns().name() + " '").output;
  CHECK(shims == "");
}

TEST_CASE("hostPath type check failures carry kubelet's words", "[e2e]") {
  AgentHarness agent;
  const std::string missing = agent.root_dir() + "/no-such-dir";
  agent.write_manifest("hostpath.yaml", pod_yaml("hostpath", fmt::format(R"(  containers:
  - name: app
{}    volumeMounts: [{{name: data, mountPath: /data}}]
  volumes:
  - name: data
    hostPath: {{path: {}, type: Directory}}
)", kSleeper, missing)));
  REQUIRE(AgentHarness::eventually([&] {
    return agent.nodectl("events").output.find("hostPath type check failed") != std::string::npos;
  }, 30s));
  CHECK_THAT(agent.nodectl("events").output,
             Catch::Contains("hostPath type check failed: " + missing + " is not a directory"));
  CHECK(agent.container_pid("hostpath", "app") == 0);
}

TEST_CASE("static pods have a creationTimestamp and nodectl pods shows their age", "[e2e]") {
  AgentHarness agent;
  agent.write_manifest("aged.yaml", pod_yaml("aged", std::string(R"(  terminationGracePeriodSeconds: 2
  containers:
  - name: app
)") + kSleeper));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("aged"), "app"); }, 60s));
  auto created = agent.pod("aged")["metadata"]["creationTimestamp"];
  REQUIRE(created.is_string());
  auto table = agent.nodectl("pods").output;
  CHECK_THAT(table, !Catch::Contains("<unknown>"));
  CHECK_THAT(table, Catch::Matches("(.|\n)*aged-\\S+\\s+1/1\\s+Running\\s+0\\s+[0-9]+s(.|\n)*"));
  // The same after a restart of the agent.
  agent.kill_agent(SIGKILL);
  agent.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("aged"), "app"); }, 30s));
  CHECK(agent.pod("aged")["metadata"]["creationTimestamp"] == created);
}
