// QoS class, names and hostname.
#include <catch2/catch.hpp>

#include "kube/pod_util.h"
#include "kube/qos.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;

namespace {

Container with_resources(const std::string& requests_cpu, const std::string& requests_mem,
                         const std::string& limits_cpu, const std::string& limits_mem) {
  Container c;
  auto set = [](ResourceList& list, const char* name, const std::string& v) {
    if (!v.empty()) list[name] = *parse_quantity(v);
  };
  set(c.resources.requests, "cpu", requests_cpu);
  set(c.resources.requests, "memory", requests_mem);
  set(c.resources.limits, "cpu", limits_cpu);
  set(c.resources.limits, "memory", limits_mem);
  return c;
}

Pod pod_of(std::vector<Container> containers, std::vector<Container> init = {}) {
  Pod p;
  p.spec.containers = std::move(containers);
  p.spec.init_containers = std::move(init);
  return p;
}

}  // namespace

TEST_CASE("QoS class as upstream computes it", "[qos]") {
  CHECK(qos_class(pod_of({Container{}})) == QosClass::kBestEffort);
  CHECK(qos_class(pod_of({with_resources("", "", "", "")})) == QosClass::kBestEffort);
  CHECK(qos_class(pod_of({with_resources("0", "0", "", "")})) == QosClass::kBestEffort);  // zero requests do not count
  CHECK(qos_class(pod_of({with_resources("100m", "", "", "")})) == QosClass::kBurstable);
  CHECK(qos_class(pod_of({with_resources("1", "1Gi", "1", "1Gi")})) == QosClass::kGuaranteed);
  CHECK(qos_class(pod_of({with_resources("1", "1Gi", "1000m", "1024Mi")})) == QosClass::kGuaranteed);  // equal values
  CHECK(qos_class(pod_of({with_resources("500m", "1Gi", "1", "1Gi")})) == QosClass::kBurstable);
  CHECK(qos_class(pod_of({with_resources("", "", "1", "")})) == QosClass::kBurstable);  // cpu limit only
  // Every container needs both limits.
  CHECK(qos_class(pod_of({with_resources("1", "1Gi", "1", "1Gi"), Container{}})) == QosClass::kBurstable);
  // Init containers count too.
  CHECK(qos_class(pod_of({with_resources("1", "1Gi", "1", "1Gi")}, {with_resources("100m", "", "", "")})) == QosClass::kBurstable);
  CHECK(qos_class(pod_of({with_resources("1", "1Gi", "1", "1Gi")}, {with_resources("1", "1Gi", "1", "1Gi")})) ==
        QosClass::kGuaranteed);
  // Other resources are ignored.
  Container gpu;
  gpu.resources.limits["example.com/gpu"] = *parse_quantity("1");
  CHECK(qos_class(pod_of({gpu})) == QosClass::kBestEffort);
}

TEST_CASE("QoS class names are the API's status.qosClass values", "[qos]") {
  CHECK(to_string(QosClass::kGuaranteed) == "Guaranteed");
  CHECK(to_string(QosClass::kBurstable) == "Burstable");
  CHECK(to_string(QosClass::kBestEffort) == "BestEffort");
  static_assert(to_string(QosClass::kBestEffort) == "BestEffort");  // usable at compile time
}

TEST_CASE("QoS of the example pods (requests defaulted from limits)", "[qos]") {
  CHECK(qos_class(load_pod("web-pod.yaml")) == QosClass::kBurstable);
  CHECK(qos_class(load_pod("minimal-pod.yaml")) == QosClass::kBestEffort);
  Pod guaranteed = decode_pod_text(R"(
apiVersion: v1
kind: Pod
metadata: {name: g}
spec:
  containers:
  - name: c
    image: busybox
    resources: {limits: {cpu: "1", memory: 64Mi}}
)");
  CHECK(qos_class(guaranteed) == QosClass::kGuaranteed);
}

TEST_CASE("full name and hostname", "[pod]") {
  Pod pod;
  pod.metadata.namespace_ = "shop";
  pod.metadata.name = "web";
  CHECK(full_name(pod) == "shop/web");
  CHECK(pod_hostname(pod) == "web");
  pod.metadata.name = std::string(62, 'a') + "-.b";
  CHECK(pod_hostname(pod) == std::string(62, 'a'));  // cut to 63, then trailing '-' removed
  pod.metadata.name = std::string(61, 'a') + ".-x";
  CHECK(pod_hostname(pod) == std::string(61, 'a'));
  pod.spec.hostname = "custom";
  CHECK(pod_hostname(pod) == "custom");
}

TEST_CASE("terminal phases", "[pod]") {
  PodStatus s;
  CHECK_FALSE(is_terminal(s));
  s.phase = "Running";
  CHECK_FALSE(is_terminal(s));
  s.phase = "Succeeded";
  CHECK(is_terminal(s));
  s.phase = "Failed";
  CHECK(is_terminal(s));
}
