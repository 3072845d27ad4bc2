// Pods from a real API server: a pod bound to the node runs and its status reaches the API;
// `kubectl delete pod` waits for the node to finish; a static pod gets a mirror pod that comes
// back when deleted; a bad kubeconfig stops the agent at start with exit 2 and the field named.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "test/e2e/agent/agent_harness.h"
#include "test/e2e/cluster/joined_node.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;

using namespace nodeagent::cluster::testing;

TEST_CASE("cluster: a pod bound to the node runs; its status and events reach the API server", "[cluster]") {
  JoinedNode n;
  int rc = 0;
  auto made = n.cp.apply(pod_yaml("web", n.node, "echo started; exec sleep 3600"), &rc);
  INFO(made);
  REQUIRE(rc == 0);
  INFO(n.agent->agent_log());
  REQUIRE(AgentHarness::eventually([&] { return phase(n.cp, "web") == "Running"; }, 60s));
  auto pod = n.cp.kubectl_json("get pod web -n default");
  const auto& st = pod["status"];
  CHECK(st.value("hostIP", "") == "10.250.0.10");
  REQUIRE(st["containerStatuses"].size() == 1);
  CHECK(st["containerStatuses"][0]["ready"] == true);
  CHECK(st["containerStatuses"][0]["containerID"].get<std::string>().rfind("containerd://", 0) == 0);
  bool ready = false;
  for (const auto& c : st["conditions"]) ready |= c["type"] == "Ready" && c["status"] == "True";
  CHECK(ready);
  // The scheduler's condition is kept beside the node's (strategic merge by type).
  bool scheduled = false;
  for (const auto& c : st["conditions"]) scheduled |= c["type"] == "PodScheduled";
  CHECK(scheduled);
  // Events from the node, under kubelet's names.
  CHECK(AgentHarness::eventually([&] {
    auto events = n.cp.kubectl_json("get events -n default --field-selector involvedObject.name=web");
    if (!events.is_object()) return false;
    for (const auto& e : events["items"])
      if (e["reason"] == "Started" && e["source"].value("host", "") == n.node) return true;
    return false;
  }, 30s));
  // The node's log through nodectl agrees with the API.
  CHECK(n.agent->nodectl("logs web").output.find("started") != std::string::npos);
}

TEST_CASE("cluster: kubectl delete pod returns once the node has stopped it, honouring the grace period", "[cluster]") {
  JoinedNode n;
  // The container ignores SIGTERM: only the end of its 3 s grace period (SIGKILL) stops it.
  int rc = 0;
  n.cp.apply(pod_yaml("slow", n.node, "trap '' TERM; while true; do sleep 1; done", 3), &rc);
  REQUIRE(rc == 0);
  REQUIRE(AgentHarness::eventually([&] { return phase(n.cp, "slow") == "Running"; }, 60s));
  auto start = std::chrono::steady_clock::now();
  auto deleted = n.cp.kubectl("delete pod slow -n default --wait=true --timeout=60s 2>&1", &rc);
  auto took = std::chrono::steady_clock::now() - start;
  INFO(deleted << n.agent->agent_log());
  REQUIRE(rc == 0);
  CHECK(took >= 3s);
  CHECK(took < 30s);
  CHECK(!n.cp.kubectl_json("get pod slow -n default").is_object());
  // Nothing of it is left on the node.
  CHECK(AgentHarness::eventually([&] { return n.agent->nodectl("pods").output.find("slow") == std::string::npos; }, 20s));
}

TEST_CASE("cluster: a static pod has a mirror pod that comes back when deleted", "[cluster]") {
  JoinedNode n;
  n.agent->write_manifest("static.yaml",
                          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stat\nspec:\n  containers:\n  - name: c\n"
                          "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
                          "    command: [sleep, \"3600\"]\n");
  const std::string mirror = "stat-" + n.node;
  INFO(n.agent->agent_log());
  REQUIRE(AgentHarness::eventually([&] { return phase(n.cp, mirror) == "Running"; }, 60s));
  auto pod = n.cp.kubectl_json("get pod " + mirror + " -n default");
  auto uid = pod["metadata"]["uid"].get<std::string>();
  CHECK(pod["metadata"]["annotations"].contains("kubernetes.io/config.mirror"));
  CHECK(pod["spec"]["nodeName"] == n.node);
  int pid = n.agent->container_pid("stat", "c");
  REQUIRE(pid > 0);
  int rc = 0;
  n.cp.kubectl("delete pod " + mirror + " -n default --wait=true --timeout=30s 2>&1", &rc);
  REQUIRE(rc == 0);
  REQUIRE(AgentHarness::eventually([&] {
    auto again = n.cp.kubectl_json("get pod " + mirror + " -n default");
    return again.is_object() && again["metadata"]["uid"] != uid;
  }, 30s));
  // Deleting the mirror does not touch the static pod.
  CHECK(n.agent->container_pid("stat", "c") == pid);
  n.agent->remove_manifest("static.yaml");
  CHECK(AgentHarness::eventually([&] { return !n.cp.kubectl_json("get pod " + mirror + " -n default").is_object(); }, 60s));
}

TEST_CASE("cluster: a bad kubeconfig stops the agent at start with exit 2, naming the file and the field", "[cluster]") {
  char tmpl[] = "/tmp/na-test-kc-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  run_command("printf 'current-context: x\\ncontexts:\\n- name: x\\n  context: {cluster: a, user: u}\\nclusters:\\n- name: a\\n"
              "  cluster: {server: \"https://10.250.0.1:6443\", certificate-authority: /nonexistent/ca.crt}\\n' > " +
              dir + "/kubeconfig");
  auto r = run_command(std::string(NODEAGENT_PATH) + " --kubeconfig " + dir + "/kubeconfig --root-dir " + dir +
                       "/root --api-socket " + dir + "/s.sock --no-network --no-proxy --container-runtime-endpoint unix://" +
                       ContainerdFixture::instance().socket() + " 2>&1");
  run_command("rm -rf " + dir);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("kubeconfig " + dir + "/kubeconfig: clusters[0].cluster.certificate-authority: /nonexistent/ca.crt") !=
        std::string::npos);
}

TEST_CASE("cluster: a Deployment is scheduled onto the node, its pods get service-account tokens, scale-down removes them", "[cluster]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  // The scheduler only places pods on a Ready node without the not-ready taint.
  REQUIRE(n.wait_ready());
  int rc = 0;
  auto made = n.cp.apply(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 2\n"
      "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
      "      terminationGracePeriodSeconds: 2\n      containers:\n      - name: main\n"
      "        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
      "        command: [sh, -c, 'cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; exec sleep 3600']\n",
      &rc);
  INFO(made);
  REQUIRE(rc == 0);
  auto running = [&] {
    auto pods = n.cp.kubectl_json("get pods -n default -l app=web");
    int count = 0;
    if (pods.is_object())
      for (const auto& p : pods["items"]) count += p["status"].value("phase", "") == "Running" && p["spec"].value("nodeName", "") == n.node;
    return count;
  };
  REQUIRE(AgentHarness::eventually([&] { return running() == 2; }, 120s));
  auto pods = n.cp.kubectl_json("get pods -n default -l app=web");
  auto name = pods["items"][0]["metadata"]["name"].get<std::string>();
  // The projected kube-api-access volume: the token, the cluster's CA and the namespace.
  auto files = n.agent->nodectl("exec default/" + name + " -- ls /var/run/secrets/kubernetes.io/serviceaccount");
  CHECK(files.output.find("token") != std::string::npos);
  CHECK(files.output.find("ca.crt") != std::string::npos);
  CHECK(n.agent->nodectl("logs default/" + name).output.find("default") != std::string::npos);
  n.cp.kubectl("scale deployment web -n default --replicas=0 2>&1", &rc);
  REQUIRE(rc == 0);
  CHECK(AgentHarness::eventually([&] {
    auto left = n.cp.kubectl_json("get pods -n default -l app=web");
    return left.is_object() && left["items"].empty();
  }, 60s));
  n.cp.kubectl("delete deployment web -n default >/dev/null 2>&1");
}
