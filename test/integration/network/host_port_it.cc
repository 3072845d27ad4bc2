// hostPort DNAT and pod egress masquerade against the real kernel (iptables-legacy tables of
// the test's own node namespaces, via the libiptc wrapper). Needs root.
#include <catch2/catch.hpp>

#include "network/pod/veth_name.h"
#include "test/integration/network/netns_fixture.h"

using namespace nodeagent;
using namespace nodeagent::network;
using namespace nodeagent::network::testing;

namespace {
std::string nat_rules(const TestNode& node) {
  return sh("ip netns exec " + node.ns.name() + " iptables-legacy-save -t nat 2>&1");
}

// Packets counted by the MASQUERADE rule of NODEAGENT-POD-MASQ.
long masqueraded_packets(const TestNode& node) {
  const std::string out = sh("ip netns exec " + node.ns.name() +
                             " iptables-legacy -t nat -L NODEAGENT-POD-MASQ -v -n -x | grep MASQUERADE");
  return out.empty() ? -1 : std::stol(out);
}
}  // namespace

TEST_CASE("hostPort: reachable from the other node, from its pods and from pods of the same node") {
  TestNode n1("n1", "10.244.1.0/24", "192.168.50.1", {{"10.244.2.0/24", "192.168.50.2"}}, false, true);
  TestNode n2("n2", "10.244.2.0/24", "192.168.50.2", {{"10.244.1.0/24", "192.168.50.1"}}, false, true);
  connect_underlay(n1, n2);
  n1.start();
  n2.start();

  NamedNetns web(unique_name("pweb")), same_node(unique_name("pc")), other_node(unique_name("pb"));
  n1.setup_pod(web, "uid-web", {{8080, 80, "TCP", ""}});
  n1.setup_pod(same_node, "uid-c");
  n2.setup_pod(other_node, "uid-b");
  HttpServer server(web, "via hostPort", 80);

  CHECK(http_get(n2.ns, "192.168.50.1", 8080) == "via hostPort");       // the other node
  CHECK(http_get(other_node, "192.168.50.1", 8080) == "via hostPort");  // a pod on the other node
  CHECK(http_get(same_node, "192.168.50.1", 8080) == "via hostPort");   // hairpin through this node

  const std::string rules = nat_rules(n1);
  CHECK(rules.find("-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT") != std::string::npos);
  CHECK(rules.find("--comment \"pod=default/" + web.name() + " uid=uid-web\" -m tcp --dport 8080 -j DNAT --to-destination") !=
        std::string::npos);
  CHECK(rules.find("unsupported") == std::string::npos);

  // Another pod asking for the same hostPort is refused, and leaves nothing behind.
  NamedNetns rival(unique_name("prival"));
  auto conflict = n1.net->setup(PodNetworkRequest{"uid-rival", "default", "rival", rival.path(), false,
                                                  {{8080, 8080, "TCP", ""}}});
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.error().code == ErrorCode::kAlreadyExists);
  CHECK(conflict.error().message == "pod default/rival: hostPort 8080/TCP is already used by pod default/" + web.name());
  CHECK(n1.net->status("uid-rival").error().code == ErrorCode::kNotFound);
  CHECK(sh("ip -n " + n1.ns.name() + " -o link show " + veth_name_for_pod("uid-rival") + " 2>/dev/null").empty());

  // After an agent restart the rules are read back: the port still works and is still taken.
  n1.start();
  CHECK(http_get(n2.ns, "192.168.50.1", 8080) == "via hostPort");
  CHECK(n1.net->setup(PodNetworkRequest{"uid-rival", "default", "rival", rival.path(), false, {{8080, 8080, "TCP", ""}}})
            .error()
            .code == ErrorCode::kAlreadyExists);

  // Teardown removes the DNAT rule.
  REQUIRE(n1.net->teardown("uid-web", web.path()).ok());
  CHECK(nat_rules(n1).find("uid=uid-web") == std::string::npos);
  CHECK(http_get(n2.ns, "192.168.50.1", 8080).empty());
}

TEST_CASE("masquerade: pod traffic leaving the cluster CIDR gets the node's address, pod-to-pod does not") {
  TestNode n1("n1", "10.244.1.0/24", "192.168.50.1", {{"10.244.2.0/24", "192.168.50.2"}}, false, true);
  TestNode n2("n2", "10.244.2.0/24", "192.168.50.2", {{"10.244.1.0/24", "192.168.50.1"}}, false, true);
  connect_underlay(n1, n2);
  n1.start();
  n2.start();
  NamedNetns a(unique_name("pa")), b(unique_name("pb"));
  n1.setup_pod(a, "uid-a");
  const std::string ip_b = n2.setup_pod(b, "uid-b");
  HttpServer pod_server(b, "pod b");
  HttpServer node_server(n2.ns, "node 2", 8081);

  // Counting rules (no target) in node 2's own INPUT chain: who does node 2 see as the source?
  auto count_from = [&](const std::string& src) {
    const std::string out = sh("ip netns exec " + n2.ns.name() + " iptables-legacy -L INPUT -v -n -x | grep -F ' " + src + " '");
    return out.empty() ? -1L : std::stol(out);
  };
  sh("ip netns exec " + n2.ns.name() + " iptables-legacy -A INPUT -p tcp --dport 8081 -s 192.168.50.1");
  sh("ip netns exec " + n2.ns.name() + " iptables-legacy -A INPUT -p tcp --dport 8081 -s 10.244.1.0/24");
  REQUIRE(count_from("192.168.50.1") == 0);
  REQUIRE(count_from("10.244.1.0/24") == 0);

  const long before = masqueraded_packets(n1);
  REQUIRE(before >= 0);
  CHECK(http_get(a, ip_b) == "pod b");  // inside the cluster CIDR: not masqueraded
  CHECK(masqueraded_packets(n1) == before);
  CHECK(http_get(a, "192.168.50.2", 8081) == "node 2");  // outside: masqueraded
  CHECK(masqueraded_packets(n1) == before + 1);
  // The connection reached node 2 from node 1's address, not the pod's.
  CHECK(count_from("192.168.50.1") > 0);
  CHECK(count_from("10.244.1.0/24") == 0);
}
