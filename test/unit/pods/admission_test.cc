// kubelet's node-level admission: resources against allocatable, host ports, in kubelet's order
// and words.
#include <catch2/catch.hpp>

#include "agent/pods/admission.h"
#include "kube/quantity.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {

kube::Quantity q(const char* text) { return *kube::parse_quantity(text); }

kube::Pod with_requests(const std::string& name, const char* cpu, const char* memory) {
  auto p = testing::pod(name, {"c"});
  if (cpu) p.spec.containers[0].resources.requests["cpu"] = q(cpu);
  if (memory) p.spec.containers[0].resources.requests["memory"] = q(memory);
  return p;
}

kube::Pod with_host_port(const std::string& name, int32_t port, const std::string& host_ip = "",
                         const std::string& protocol = "TCP") {
  auto p = testing::pod(name, {"c"});
  kube::ContainerPort cp;
  cp.container_port = 80;
  cp.host_port = port;
  cp.host_ip = host_ip;
  cp.protocol = protocol;
  p.spec.containers[0].ports.push_back(cp);
  return p;
}

// 2 cores and 1 GiB allocatable.
NodeAllocatable node(int max_pods = 110) {
  return NodeAllocatable{max_pods, {{"cpu", 2000}, {"memory", (int64_t{1} << 30) * 1000}}};
}

}  // namespace

TEST_CASE("a pod that fits is admitted") {
  auto a = with_requests("a", "1", "512Mi");
  auto b = with_requests("b", "500m", "256Mi");
  CHECK_FALSE(check_node_admission(b, {&a}, node()));
}

TEST_CASE("too many pods is OutOfpods") {
  auto a = testing::pod("a", {"c"});
  auto b = testing::pod("b", {"c"});
  auto refused = check_node_admission(b, {&a}, node(1));
  REQUIRE(refused);
  CHECK(refused->reason == "OutOfpods");
  CHECK(refused->message == "Node didn't have enough resource: pods, requested: 1, used: 1, capacity: 1");
}

TEST_CASE("cpu over allocatable is OutOfcpu, in millicores") {
  auto a = with_requests("a", "1500m", nullptr);
  auto b = with_requests("b", "600m", nullptr);
  auto refused = check_node_admission(b, {&a}, node());
  REQUIRE(refused);
  CHECK(refused->reason == "OutOfcpu");
  CHECK(refused->message == "Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000");
}

TEST_CASE("memory over allocatable is OutOfmemory, in bytes") {
  auto a = with_requests("a", nullptr, "768Mi");
  auto b = with_requests("b", nullptr, "512Mi");
  auto refused = check_node_admission(b, {&a}, node());
  REQUIRE(refused);
  CHECK(refused->reason == "OutOfmemory");
  CHECK(refused->message ==
        "Node didn't have enough resource: memory, requested: 536870912, used: 805306368, capacity: 1073741824");
}

TEST_CASE("cpu is checked before memory, and a pod asking nothing always fits") {
  auto a = with_requests("a", "2", "1Gi");
  auto both = with_requests("b", "1", "1Gi");
  REQUIRE(check_node_admission(both, {&a}, node()));
  CHECK(check_node_admission(both, {&a}, node())->reason == "OutOfcpu");
  auto best_effort = testing::pod("c", {"c"});
  CHECK_FALSE(check_node_admission(best_effort, {&a}, node()));
}

TEST_CASE("requests count as PodRequests: the largest init container, sidecars and overhead") {
  auto p = with_requests("p", "500m", nullptr);
  auto init = testing::container("init");
  init.resources.requests["cpu"] = q("1800m");
  p.spec.init_containers.push_back(init);
  auto refused = check_node_admission(p, {}, NodeAllocatable{110, {{"cpu", 1500}}});
  REQUIRE(refused);
  CHECK(refused->message == "Node didn't have enough resource: cpu, requested: 1800, used: 0, capacity: 1500");

  auto q2 = with_requests("q", "1", nullptr);
  q2.spec.overhead["cpu"] = q("600m");
  REQUIRE(check_node_admission(q2, {}, NodeAllocatable{110, {{"cpu", 1500}}}));
}

TEST_CASE("a resource the node does not report is not checked") {
  auto p = testing::pod("p", {"c"});
  p.spec.containers[0].resources.requests["example.com/gpu"] = q("1");
  CHECK_FALSE(check_node_admission(p, {}, node()));
}

TEST_CASE("host ports conflict on the same protocol and port with the same or a wildcard IP") {
  auto taken = with_host_port("a", 8080);
  auto refused = check_node_admission(with_host_port("b", 8080), {&taken}, node());
  REQUIRE(refused);
  CHECK(refused->reason == "NodePorts");
  CHECK(refused->message == "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
  CHECK(check_node_admission(with_host_port("c", 8080, "10.0.0.5"), {&taken}, node()));

  auto on_ip = with_host_port("d", 9090, "10.0.0.5");
  CHECK_FALSE(check_node_admission(with_host_port("e", 9090, "10.0.0.6"), {&on_ip}, node()));
  CHECK_FALSE(check_node_admission(with_host_port("f", 8080, "", "UDP"), {&taken}, node()));
  CHECK_FALSE(check_node_admission(with_host_port("g", 8081), {&taken}, node()));
}
