// Services from the real API server through the agent's proxy half (kube-proxy's identity): a
// NodePort Service over a Deployment, with the endpointslice controller's slices, reached at its
// ClusterIP and at nodeIP:nodePort from the node's netns, from a pod, and at nodeIP:nodePort from
// another machine (the control plane's netns); and a pod reading the API through the `kubernetes`
// Service (10.96.0.1:443 → the API server's endpoint) with its projected service-account token.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "test/e2e/cluster/joined_node.h"
#include "test/support/temp_dir.h"

using namespace nodeagent::testing;
using namespace nodeagent::cluster::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int kNodePort = 30080;

const std::string kEchoService =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: echo\n  namespace: default\nspec:\n  replicas: 2\n"
    "  selector:\n    matchLabels: {app: echo}\n  template:\n    metadata:\n      labels: {app: echo}\n    spec:\n"
    "      terminationGracePeriodSeconds: 1\n      automountServiceAccountToken: false\n      containers:\n"
    "      - name: main\n        image: docker.io/library/busybox:latest\n        imagePullPolicy: Never\n"
    "        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']\n"
    "        ports: [{name: http, containerPort: 8080}]\n"
    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: echo\n  namespace: default\nspec:\n  type: NodePort\n"
    "  selector: {app: echo}\n  ports: [{port: 80, targetPort: http, nodePort: " + std::to_string(kNodePort) + "}]\n";

// The names of the pods that answered `fetch` over `tries` attempts (each answer is a pod's host name).
std::set<std::string> answers(const std::function<std::string()>& fetch, int tries = 12) {
  std::set<std::string> out;
  for (int i = 0; i < tries; ++i) {
    std::string body = fetch();
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    if (auto nl = body.rfind('\n'); nl != std::string::npos) body = body.substr(nl + 1);  // after the headers
    if (!body.empty()) out.insert(body);
  }
  return out;
}

int ready_endpoints(const ControlPlane& cp, const std::string& service) {
  auto slices = cp.kubectl_json("get endpointslices -n default -l kubernetes.io/service-name=" + service);
  int ready = 0;
  if (slices.is_object())
    for (const auto& s : slices["items"])
      for (const auto& e : s["endpoints"]) ready += e["conditions"].value("ready", false);
  return ready;
}

}  // namespace

TEST_CASE("cluster: a NodePort Service from the API server is reachable from the node, from a pod and from outside",
          "[cluster][services]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  int rc = 0;
  auto made = n.cp.apply(kEchoService, &rc);
  INFO(made);
  REQUIRE(rc == 0);
  n.cp.apply(pod_yaml("client", n.node, "exec sleep 3600", 1), &rc);
  REQUIRE(rc == 0);
  REQUIRE(eventually(90, [&] { return running_on(n.cp, "app=echo", n.node) == 2 && phase(n.cp, "client") == "Running"; }));
  REQUIRE(eventually(30, [&] { return ready_endpoints(n.cp, "echo") == 2; }));
  std::set<std::string> pods;
  for (const auto& p : api_pods(n.cp, "app=echo")) pods.insert(p["metadata"].value("name", ""));
  const std::string cluster_ip = n.cp.kubectl("get service echo -n default -o jsonpath='{.spec.clusterIP}'");
  REQUIRE(cluster_ip.rfind("10.", 0) == 0);

  // From the node's own netns, at the ClusterIP and at its own IP's NodePort (the proxy follows
  // the slices within a sync period: allow it a few seconds).
  std::set<std::string> seen;
  CHECK(eventually(20, [&] {
    seen = answers([&] { return curl_in_netns(n.netns->name(), cluster_ip, 80); });
    return seen == pods;
  }));
  CHECK(answers([&] { return curl_in_netns(n.netns->name(), kNodeIp, kNodePort); }) == pods);
  // From another machine on the network: the control plane's netns, at nodeIP:nodePort.
  const std::string outside = "nsenter --net=/run/netns/nacp-" + n.cp.name() +
                              " curl -s --noproxy '*' --max-time 3 http://" + std::string(kNodeIp) + ":" +
                              std::to_string(kNodePort) + "/index.html";
  CHECK(answers([&] { return sh(outside); }) == pods);
  // From a pod, with busybox nc (its wget crashes here).
  auto from_pod = [&](const std::string& ip, int port) {
    return n.agent
        ->nodectl("exec default/client -- sh -c \"printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " " +
                  std::to_string(port) + "\"")
        .output;
  };
  CHECK(answers([&] { return from_pod(cluster_ip, 80); }) == pods);
  CHECK(answers([&] { return from_pod(kNodeIp, kNodePort); }) == pods);

  // Scaled to one: the proxy follows the slices, the removed pod is no longer answered.
  n.cp.kubectl("scale deployment echo -n default --replicas=1 >/dev/null 2>&1", &rc);
  REQUIRE(rc == 0);
  REQUIRE(eventually(60, [&] { return api_pods(n.cp, "app=echo").size() == 1 && ready_endpoints(n.cp, "echo") == 1; }));
  const std::string left = api_pods(n.cp, "app=echo")[0]["metadata"].value("name", "");
  CHECK(eventually(20, [&] {
    return answers([&] { return curl_in_netns(n.netns->name(), cluster_ip, 80); }, 6) == std::set<std::string>{left};
  }));
}

TEST_CASE("cluster: a pod reads the API through the kubernetes Service with its service-account token",
          "[cluster][services]") {
  JoinedNode n;
  INFO(n.agent->agent_log());
  REQUIRE(n.wait_ready());
  // The static client (busybox has no TLS client that works here) comes in through a hostPath.
  TempDir tools("na-test-tools");
  fs::copy_file(INCLUSTER_GET_PATH, tools.file("incluster-get"));
  int rc = 0;
  auto made = n.cp.apply(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: reader\n  namespace: default\nspec:\n  nodeName: " + n.node +
          "\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n"
          "    image: docker.io/library/busybox:latest\n    imagePullPolicy: Never\n"
          "    command: [sh, -c, 'echo host=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT; "
          "/tools/incluster-get /api; /tools/incluster-get /api --anonymous']\n"
          "    volumeMounts: [{name: tools, mountPath: /tools, readOnly: true}]\n"
          "  volumes: [{name: tools, hostPath: {path: " + tools.path() + ", type: Directory}}]\n",
      &rc);
  INFO(made);
  REQUIRE(rc == 0);
  REQUIRE(eventually(60, [&] {
    auto p = phase(n.cp, "reader");
    return p == "Succeeded" || p == "Failed";
  }));
  const std::string out = n.agent->nodectl("logs default/reader").output;
  INFO(out);
  CHECK(phase(n.cp, "reader") == "Succeeded");
  CHECK(out.find("host=10.96.0.1:443") != std::string::npos);
  // With the token: the discovery document, as system:serviceaccount:default:default.
  CHECK(out.find("HTTP/1.0 200 OK") != std::string::npos);
  CHECK(out.find("\"kind\":\"APIVersions\"") != std::string::npos);
  CHECK(out.find("\"serverAddressByClientCIDRs\"") != std::string::npos);
  // Without it the same path is refused: the 200 came from the token, not from anonymous access.
  CHECK(out.find("HTTP/1.0 403 Forbidden") != std::string::npos);
  CHECK(out.find("system:anonymous") != std::string::npos);
}
