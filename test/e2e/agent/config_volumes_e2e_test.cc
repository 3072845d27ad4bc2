// The daemon end to end on configMap, secret, downwardAPI and projected volumes, observed from
// inside the containers: contents, modes, fsGroup ownership, secrets on a tmpfs, optional
// objects, a missing ConfigMap holding the pod in ContainerCreating until it appears, updates
// reaching a running container within 2 s, no torn reads across 100 updates, and the standalone
// refusal of serviceAccountToken. Real containerd, real binaries, manifests as users write them.
#include <catch2/catch.hpp>

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

bool running(const json& pod) { return nodeagent::testing::running(pod, "app"); }

std::string waiting_reason(const json& pod, const std::string& container = "app") {
  auto st = container_status(pod, container);
  if (st.is_null() || !st["state"].contains("waiting")) return "";
  return st["state"]["waiting"].value("reason", "");
}

// `cmd` run by sh inside the pod's container "app".
std::string in_pod(const AgentHarness& agent, const std::string& pod, const std::string& cmd) {
  return trim(agent.nodectl(fmt::format("exec {}-{} -c app -- sh -c '{}'", pod, agent.node(), cmd)).output);
}

std::string config_map_yaml(const std::string& name, const std::string& data) {
  return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n{}", name, data);
}

const char* kSleeper = R"(  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
)";

}  // namespace

TEST_CASE("configMap, secret and downwardAPI volumes as the container sees them; updates within 2 s",
          "[e2e][volumes]") {
  AgentHarness agent;
  agent.write_manifest("settings.yaml", config_map_yaml("settings", "  game: lives=3\n  ui: dark\n") +
                                            "binaryData:\n  logo.bin: AAH/\n");
  agent.write_manifest("creds.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: s3cr3t-value-e2e
)");
  agent.write_manifest("cfg.yaml", pod_yaml("cfg", std::string(R"(  terminationGracePeriodSeconds: 1
  securityContext:
    fsGroup: 2000
  volumes:
  - name: cfg
    configMap: {name: settings}
  - name: items
    configMap:
      name: settings
      items:
      - {key: game, path: conf/game.properties, mode: 0600}
  - name: creds
    secret: {secretName: creds, defaultMode: 0400}
  - name: opt
    configMap: {name: absent, optional: true}
  - name: optsecret
    secret: {secretName: absent, optional: true}
  - name: info
    downwardAPI:
      items:
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: ns, fieldRef: {fieldPath: metadata.namespace}}
      - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
  containers:
)") + kSleeper + R"(    resources: {limits: {memory: 64Mi}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: items, mountPath: /etc/items}
    - {name: creds, mountPath: /etc/creds}
    - {name: opt, mountPath: /etc/opt}
    - {name: optsecret, mountPath: /etc/optsecret}
    - {name: info, mountPath: /etc/info}
)"));
  INFO(agent.nodectl("events").output);
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("cfg")); }, 60s));

  // configMap: every key, binaryData as bytes, 0644 (group read already there with fsGroup).
  CHECK(in_pod(agent, "cfg", "cat /etc/cfg/game") == "lives=3");
  CHECK(in_pod(agent, "cfg", "cat /etc/cfg/ui") == "dark");
  CHECK(in_pod(agent, "cfg", "od -An -tx1 /etc/cfg/logo.bin | tr -d \" \"") == "0001ff");
  CHECK(in_pod(agent, "cfg", "stat -L -c %a /etc/cfg/game") == "644");
  CHECK(in_pod(agent, "cfg", "readlink /etc/cfg/game") == "..data/game");
  // items: the chosen key at its path, its mode plus group read for the fsGroup, group-owned.
  CHECK(in_pod(agent, "cfg", "ls /etc/items") == "conf");
  CHECK(in_pod(agent, "cfg", "cat /etc/items/conf/game.properties") == "lives=3");
  CHECK(in_pod(agent, "cfg", "stat -L -c %a:%g /etc/items/conf/game.properties") == "640:2000");
  // secret: 0400 + group read = 0440, group 2000, on a tmpfs of its own.
  CHECK(in_pod(agent, "cfg", "cat /etc/creds/password") == "s3cr3t-value-e2e");
  CHECK(in_pod(agent, "cfg", "stat -L -c %a:%g /etc/creds/password") == "440:2000");
  const auto mounts = in_pod(agent, "cfg", "cat /proc/mounts");
  CHECK_THAT(mounts, Catch::Contains("tmpfs /etc/creds tmpfs"));
  CHECK_THAT(mounts, Catch::Contains("tmpfs /etc/optsecret tmpfs"));
  CHECK_THAT(mounts, !Catch::Contains("tmpfs /etc/cfg "));
  // optional and missing: empty volumes.
  CHECK(in_pod(agent, "cfg", "ls /etc/opt /etc/optsecret | grep -v : | tr -d \"\\n\"") == "");
  // downwardAPI.
  CHECK(in_pod(agent, "cfg", "cat /etc/info/name") == "cfg-" + agent.node());
  CHECK(in_pod(agent, "cfg", "cat /etc/info/ns") == "default");
  CHECK(in_pod(agent, "cfg", "cat /etc/info/mem") == "64");

  // Secret data stays out of nodectl's output and the agent's log, and off the node's disk.
  CHECK_THAT(agent.nodectl("pods -o json").output, !Catch::Contains("s3cr3t-value-e2e"));
  CHECK_THAT(agent.nodectl("inspectp cfg-" + agent.node()).output, !Catch::Contains("s3cr3t-value-e2e"));
  CHECK_THAT(agent.nodectl("events").output, !Catch::Contains("s3cr3t-value-e2e"));
  CHECK_THAT(agent.agent_log(), !Catch::Contains("s3cr3t-value-e2e"));
  const std::string uid = agent.pod("cfg")["metadata"]["uid"];
  const auto host_dir = agent.root_dir() + "/pods/" + uid + "/volumes/kubernetes.io~secret/creds";
  CHECK(run_command("grep -q ' " + host_dir + " ' /proc/self/mountinfo").exit_code == 0);

  // An update of the ConfigMap reaches the running container within 2 s.
  const auto written = std::chrono::steady_clock::now();
  agent.write_manifest("settings.yaml", config_map_yaml("settings", "  game: lives=4\n  ui: dark\n"));
  REQUIRE(AgentHarness::eventually([&] { return in_pod(agent, "cfg", "cat /etc/cfg/game") == "lives=4"; }, 10s));
  const auto seen = std::chrono::steady_clock::now() - written;
  INFO("update seen after " << std::chrono::duration_cast<std::chrono::milliseconds>(seen).count() << " ms");
  CHECK(seen < 2s);
  CHECK(in_pod(agent, "cfg", "cat /etc/items/conf/game.properties") == "lives=4");
  // The key that left binaryData is gone from the volume.
  CHECK(in_pod(agent, "cfg", "test -e /etc/cfg/logo.bin && echo yes || echo no") == "no");
}

TEST_CASE("a missing non-optional ConfigMap keeps the pod ContainerCreating until it appears", "[e2e][volumes]") {
  AgentHarness agent;
  agent.write_manifest("late.yaml", pod_yaml("late", std::string(R"(  terminationGracePeriodSeconds: 1
  volumes:
  - name: cfg
    configMap: {name: late-settings}
  containers:
)") + kSleeper + R"(    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
)"));
  REQUIRE(AgentHarness::eventually(
      [&] { return agent.nodectl("events").output.find("configmap \"late-settings\" not found") != std::string::npos; },
      30s));
  const auto events = agent.nodectl("events").output;
  CHECK_THAT(events, Catch::Contains("FailedMount"));
  CHECK_THAT(events, Catch::Contains("volume \"cfg\""));
  CHECK(waiting_reason(agent.pod("late")) == "ContainerCreating");

  agent.write_manifest("late-settings.yaml", config_map_yaml("late-settings", "  mode: ready\n"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("late")); }, 30s));
  CHECK(in_pod(agent, "late", "cat /etc/cfg/mode") == "ready");
}

TEST_CASE("no torn reads: a reader in the container never sees two keys differ during 100 updates",
          "[e2e][volumes]") {
  AgentHarness agent;
  agent.write_manifest("pair.yaml", config_map_yaml("pair", "  a: \"0\"\n  b: \"0\"\n"));
  // The reader resolves ..data once per round (cd), as a consistent reader of a kubelet volume
  // does, and counts rounds and mismatches; a round whose version vanished mid-read is retried.
  // It also counts, for information, reads through the top-level links, which can straddle a swap.
  agent.write_manifest("reader.yaml", pod_yaml("reader", R"(  terminationGracePeriodSeconds: 1
  volumes:
  - name: cfg
    configMap: {name: pair}
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c"]
    args:
    - |
      n=0; bad=0; straddle=0
      trap 'exit 0' TERM
      while true; do
        if cd /etc/cfg/..data 2>/dev/null; then
          a=$(cat a 2>/dev/null); b=$(cat b 2>/dev/null); cd /
          if [ -n "$a" ] && [ -n "$b" ]; then
            n=$((n+1)); [ "$a" = "$b" ] || { bad=$((bad+1)); echo "$a/$b" >> /tmp/bad; }
          fi
        fi
        x=$(cat /etc/cfg/a); y=$(cat /etc/cfg/b); [ "$x" = "$y" ] || straddle=$((straddle+1))
        echo "$n $bad $straddle" > /tmp/count.tmp && mv /tmp/count.tmp /tmp/count
      done
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
)"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("reader")); }, 60s));
  const std::string uid = agent.pod("reader")["metadata"]["uid"];
  const auto host_a = agent.root_dir() + "/pods/" + uid + "/volumes/kubernetes.io~configmap/cfg/a";
  auto host_value = [&] {
    std::ifstream in(host_a);
    std::string s;
    std::getline(in, s);
    return s;
  };
  for (int i = 1; i <= 100; ++i) {
    agent.write_manifest("pair.yaml", config_map_yaml("pair", fmt::format("  a: \"{0}\"\n  b: \"{0}\"\n", i)));
    REQUIRE(AgentHarness::eventually([&] { return host_value() == std::to_string(i); }, 5s));
  }
  std::this_thread::sleep_for(300ms);
  auto counts = in_pod(agent, "reader", "cat /tmp/count");
  INFO("rounds, mismatches, straddling naive reads: " << counts << "; bad: " << in_pod(agent, "reader", "cat /tmp/bad"));
  int n = 0, bad = -1, straddle = 0;
  REQUIRE(std::sscanf(counts.c_str(), "%d %d %d", &n, &bad, &straddle) == 3);
  CHECK(n > 100);
  CHECK(bad == 0);
  CHECK(in_pod(agent, "reader", "cat /etc/cfg/a; echo /; cat /etc/cfg/b") == "100/\n100");
}

TEST_CASE("projected: configMap, secret and downwardAPI in one directory; serviceAccountToken refused standalone",
          "[e2e][volumes]") {
  AgentHarness agent;
  agent.write_manifest("objects.yaml", config_map_yaml("root-ca", "  ca.crt: CERT\n") + R"(---
apiVersion: v1
kind: Secret
metadata:
  name: app-token
data:
  token: dG9rZW4tdmFsdWU=
)");
  agent.write_manifest("proj.yaml", pod_yaml("proj", std::string(R"(  terminationGracePeriodSeconds: 1
  volumes:
  - name: all
    projected:
      defaultMode: 0440
      sources:
      - configMap:
          name: root-ca
          items: [{key: ca.crt, path: ca.crt}]
      - secret:
          name: app-token
      - downwardAPI:
          items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]
  containers:
)") + kSleeper + R"(    volumeMounts:
    - {name: all, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}
)"));
  agent.write_manifest("sa.yaml", pod_yaml("sa", std::string(R"(  terminationGracePeriodSeconds: 1
  volumes:
  - name: kube-api-access-x
    projected:
      sources:
      - serviceAccountToken: {expirationSeconds: 3607, path: token}
      - configMap:
          name: root-ca
          items: [{key: ca.crt, path: ca.crt}]
  containers:
)") + kSleeper + R"(    volumeMounts:
    - {name: kube-api-access-x, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}
)"));
  REQUIRE(AgentHarness::eventually([&] { return running(agent.pod("proj")); }, 60s));
  const std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  CHECK(in_pod(agent, "proj", "ls " + dir + " | tr \"\\n\" \" \"") == "ca.crt namespace token ");
  // Values without a trailing newline, as written in the objects.
  CHECK(in_pod(agent, "proj", "cat " + dir + "/ca.crt " + dir + "/namespace " + dir + "/token") ==
        "CERTdefaulttoken-value");
  CHECK(in_pod(agent, "proj", "stat -L -c %a " + dir + "/token " + dir + "/namespace | tr \"\\n\" /") == "440/440/");
  CHECK_THAT(in_pod(agent, "proj", "cat /proc/mounts"), Catch::Contains("tmpfs " + dir + " tmpfs"));

  REQUIRE(AgentHarness::eventually(
      [&] { return agent.nodectl("events").output.find("serviceAccountToken needs a connection") != std::string::npos; },
      30s));
  CHECK_THAT(agent.nodectl("events").output,
             Catch::Contains("volume \"kube-api-access-x\": projected source serviceAccountToken needs a connection "
                             "to the API server"));
  CHECK(waiting_reason(agent.pod("sa")) == "ContainerCreating");
}
