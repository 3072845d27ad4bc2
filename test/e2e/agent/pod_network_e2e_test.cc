// e2e of pod networking through the daemon: two nodeagents, each in a "node" netns of its own,
// the nodes joined by a veth underlay (192.168.77.0/24) and nothing else, so no packet can leave
// the machine. Pods get IPs from their node's --pod-cidr, reach each other across the nodes over
// the static routes, and a hostPort answers on the node's address.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>

#include <fmt/format.h>

#include "agent_harness.h"

using namespace nodeagent::testing;
using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool running(const json& pod) { return !pod.is_null() && pod["status"].value("phase", "") == "Running"; }
std::string pod_ip(const json& pod) { return pod.is_null() ? "" : pod["status"].value("podIP", ""); }

size_t allocated_ips(const AgentHarness& agent) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(agent.root_dir() + "/ipam/cni0", ec)) {
    auto name = e.path().filename().string();
    if (std::count(name.begin(), name.end(), '.') == 3) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("pods on two nodes get IPs, talk across the underlay, and keep their IPs over an agent crash", "[e2e][network]") {
  NodeUnderlay underlay;
  AgentHarness node1(networked_node(underlay.n1(), "a", {"--pod-cidr", "10.244.1.0/24", "--node-ip", "192.168.77.1",
                                                       "--node-routes", "10.244.2.0/24=192.168.77.2"}));
  // No --node-ip on node 2: the agent finds 192.168.77.2 on its only interface.
  AgentHarness node2(networked_node(underlay.n2(), "b", {"--pod-cidr", "10.244.2.0/24",
                                                       "--node-routes", "10.244.1.0/24=192.168.77.1"}));
  node1.write_manifest("web.yaml", web_pod_yaml("web", 8081));
  node2.write_manifest("client.yaml", sleeper_pod_yaml("client"));
  REQUIRE(AgentHarness::eventually([&] { return running(node1.pod("web")) && running(node2.pod("client")); }, 60s));

  // Status: IPs from each node's range, hostIP the node's address.
  auto web = node1.pod("web");
  auto client = node2.pod("client");
  const auto web_ip = pod_ip(web);
  CHECK(web_ip.rfind("10.244.1.", 0) == 0);
  CHECK(web_ip != "10.244.1.1");  // the bridge's
  CHECK(web["status"]["podIPs"][0]["ip"] == web_ip);
  CHECK(web["status"]["hostIP"] == "192.168.77.1");
  CHECK(pod_ip(client).rfind("10.244.2.", 0) == 0);
  CHECK(client["status"]["hostIP"] == "192.168.77.2");
  CHECK_THAT(node1.nodectl("pods").output, Catch::Contains(web_ip));

  // The node reaches its pod; a pod on the other node reaches it over the routes; the hostPort
  // answers on node 1's address from node 2.
  const auto web_name = "web-" + node1.node();
  CHECK(curl_in_netns(underlay.n1(), web_ip, 8080) == web_name + "\n");
  // busybox nc, not wget: the static busybox's wget crashes resolving a non-loopback address.
  auto cross = node2.nodectl(fmt::format(
      "exec client-{} -- sh -c 'printf \"GET /index.html HTTP/1.0\\r\\n\\r\\n\" | nc -w 3 {} 8080'", node2.node(), web_ip));
  CHECK(cross.exit_code == 0);
  CHECK_THAT(cross.output, Catch::StartsWith("HTTP/1.1 200 OK") && Catch::EndsWith("\r\n\r\n" + web_name + "\n"));
  CHECK(curl_in_netns(underlay.n2(), "192.168.77.1", 8081) == web_name + "\n");

  // Pod files: /etc/hosts maps the pod IP to its name; resolv.conf is ClusterFirst's.
  auto hosts = node1.nodectl("exec " + web_name + " -- cat /etc/hosts").output;
  CHECK_THAT(hosts, Catch::Contains(web_ip + "\t" + web_name));
  auto resolv = node1.nodectl("exec " + web_name + " -- cat /etc/resolv.conf").output;
  CHECK_THAT(resolv, Catch::Contains("nameserver 10.96.0.10") &&
                         Catch::Contains("search default.svc.cluster.local svc.cluster.local cluster.local") &&
                         Catch::Contains("options ndots:5"));

  // kill -9 and restart: same container, same IP, still reachable; a new pod gets another IP.
  const int web_pid = node1.container_pid("web", "web");
  REQUIRE(web_pid > 0);
  node1.kill_agent(SIGKILL);
  CHECK(curl_in_netns(underlay.n1(), web_ip, 8080) == web_name + "\n");  // the data path needs no agent
  node1.start_agent();
  node1.write_manifest("second.yaml", sleeper_pod_yaml("second"));
  REQUIRE(AgentHarness::eventually([&] { return running(node1.pod("second")); }, 60s));
  CHECK(pod_ip(node1.pod("web")) == web_ip);
  CHECK(node1.container_pid("web", "web") == web_pid);
  CHECK(pod_ip(node1.pod("second")).rfind("10.244.1.", 0) == 0);
  CHECK(pod_ip(node1.pod("second")) != web_ip);
  CHECK(curl_in_netns(underlay.n2(), "192.168.77.1", 8081) == web_name + "\n");
  CHECK(allocated_ips(node1) == 2);

  // Deletion gives back the IP: with the agent up, and for a pod deleted while it was down.
  node1.remove_manifest("second.yaml");
  REQUIRE(AgentHarness::eventually([&] { return node1.pod("second").is_null(); }, 60s));
  CHECK(allocated_ips(node1) == 1);
  node1.kill_agent(SIGKILL);
  node1.remove_manifest("web.yaml");
  node1.start_agent();
  REQUIRE(AgentHarness::eventually([&] { return node1.pod("web").is_null() && allocated_ips(node1) == 0; }, 60s));
  CHECK(run_command("ip -n " + underlay.n1() + " -o link show type veth").output.find("veth") == std::string::npos);
  CHECK(curl_in_netns(underlay.n2(), "192.168.77.1", 8081).empty());  // the hostPort DNAT is gone too
}

TEST_CASE("a hostNetwork pod uses the node's netns and address; a hostPort clash is refused", "[e2e][network]") {
  NodeUnderlay underlay;
  AgentHarness node(networked_node(underlay.n1(), "a", {"--pod-cidr", "10.244.1.0/24", "--node-ip", "192.168.77.1"}));
  auto host_pod = sleeper_pod_yaml("host");
  host_pod.replace(host_pod.find("spec:\n") + 6, 0, "  hostNetwork: true\n");
  node.write_manifest("host.yaml", host_pod);
  node.write_manifest("web.yaml", web_pod_yaml("web", 8081));
  REQUIRE(AgentHarness::eventually([&] { return running(node.pod("host")) && running(node.pod("web")); }, 60s));
  auto host = node.pod("host");
  CHECK(pod_ip(host) == "192.168.77.1");
  auto links = node.nodectl("exec host-" + node.node() + " -- cat /proc/net/dev").output;
  CHECK_THAT(links, Catch::Contains("u1:") && Catch::Contains("cni0:"));

  // A second pod on the same hostPort is refused at admission, as kubelet's NodePorts predicate
  // does: Failed with reason NodePorts, never started; the first one keeps serving.
  node.write_manifest("rival.yaml", pod_yaml("rival", R"(  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox:latest
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    ports:
    - containerPort: 9090
      hostPort: 8081
)"));
  CHECK(AgentHarness::eventually([&] {
    return node.nodectl("events").output.find(
               "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports") != std::string::npos;
  }, 30s));
  CHECK(node.pod("rival")["status"].value("phase", "") == "Failed");
  CHECK(node.pod("rival")["status"].value("reason", "") == "NodePorts");
  CHECK(curl_in_netns(underlay.n2(), "192.168.77.1", 8081) == "web-" + node.node() + "\n");
}
