// Unit tests: kubelet's CPU arithmetic (values from kubelet's helpers_linux_test.go) and the pod
// cgroup limits as ResourceConfigForPod computes them.
#include <catch2/catch.hpp>

#include "kube/quantity.h"
#include "runtime/cgroups/resource_config.h"

using namespace nodeagent;
using namespace nodeagent::runtime::cgroups;

namespace {

kube::Container container(const std::string& name, kube::ResourceList requests, kube::ResourceList limits) {
  kube::Container c;
  c.name = name;
  c.resources.requests = std::move(requests);
  c.resources.limits = std::move(limits);
  return c;
}

kube::Quantity q(const char* text) { return *kube::parse_quantity(text); }

}  // namespace

TEST_CASE("MilliCPUToShares: 0 -> 2, minimum 2, 1024 per CPU, maximum 262144") {
  CHECK(milli_cpu_to_shares(0) == 2);
  CHECK(milli_cpu_to_shares(1) == 2);
  CHECK(milli_cpu_to_shares(100) == 102);
  CHECK(milli_cpu_to_shares(500) == 512);
  CHECK(milli_cpu_to_shares(1000) == 1024);
  CHECK(milli_cpu_to_shares(1500) == 1536);
  CHECK(milli_cpu_to_shares(300000) == 262144);
}

TEST_CASE("MilliCPUToQuota: 0 -> no quota, at least 1000 us") {
  CHECK(milli_cpu_to_quota(0, 100000) == 0);
  CHECK(milli_cpu_to_quota(5, 100000) == 1000);
  CHECK(milli_cpu_to_quota(9, 100000) == 1000);
  CHECK(milli_cpu_to_quota(10, 100000) == 1000);
  CHECK(milli_cpu_to_quota(100, 100000) == 10000);
  CHECK(milli_cpu_to_quota(200, 100000) == 20000);
  CHECK(milli_cpu_to_quota(500, 100000) == 50000);
  CHECK(milli_cpu_to_quota(1500, 100000) == 150000);
  CHECK(milli_cpu_to_quota(100, 50000) == 5000);
}

TEST_CASE("shares to cgroup v2 weight: [2, 262144] -> [1, 10000]") {
  CHECK(shares_to_weight(0) == 0);  // unset stays unset
  CHECK(shares_to_weight(1) == 1);  // clamped to the minimum shares
  CHECK(shares_to_weight(2) == 1);
  CHECK(shares_to_weight(102) == 4);
  CHECK(shares_to_weight(1024) == 39);
  CHECK(shares_to_weight(262144) == 10000);
  CHECK(shares_to_weight(1 << 20) == 10000);
}

TEST_CASE("ResourceConfigForPod: Guaranteed pods get shares, quota and memory summed") {
  kube::PodSpec spec;
  spec.containers = {container("a", {{"cpu", q("100m")}, {"memory", q("64Mi")}}, {{"cpu", q("100m")}, {"memory", q("64Mi")}}),
                     container("b", {{"cpu", q("200m")}, {"memory", q("36Mi")}}, {{"cpu", q("200m")}, {"memory", q("36Mi")}})};
  const auto r = resource_config_for_pod(spec, QosClass::kGuaranteed);
  CHECK(r.cpu_shares == 307);  // 300m
  CHECK(r.cpu_quota_us == 30000);
  CHECK(r.cpu_period_us == 100000);
  CHECK(r.memory_limit_bytes == 100 << 20);
  CHECK(r.pids_limit == 0);
}

TEST_CASE("ResourceConfigForPod: Burstable limits only when every container declares them") {
  kube::PodSpec spec;
  spec.containers = {container("a", {{"cpu", q("100m")}}, {{"memory", q("64Mi")}}), container("b", {}, {{"memory", q("32Mi")}})};
  auto r = resource_config_for_pod(spec, QosClass::kBurstable);
  CHECK(r.cpu_shares == 102);
  CHECK(r.cpu_quota_us == 0);                     // "b" has no cpu limit
  CHECK(r.memory_limit_bytes == 96 << 20);        // both limit memory

  spec.containers.push_back(container("c", {{"memory", q("1Mi")}}, {}));
  r = resource_config_for_pod(spec, QosClass::kBurstable);
  CHECK(r.memory_limit_bytes == 0);
  CHECK(r.cpu_shares == 102);

  // No cpu request at all: kubelet's minimum, not the kernel default.
  kube::PodSpec mem_only;
  mem_only.containers = {container("a", {{"memory", q("64Mi")}}, {})};
  CHECK(resource_config_for_pod(mem_only, QosClass::kBurstable).cpu_shares == 2);
}

TEST_CASE("ResourceConfigForPod: BestEffort pods get the minimum shares only") {
  kube::PodSpec spec;
  spec.containers = {container("a", {}, {})};
  const auto r = resource_config_for_pod(spec, QosClass::kBestEffort);
  CHECK(r.cpu_shares == 2);
  CHECK(r.cpu_quota_us == 0);
  CHECK(r.memory_limit_bytes == 0);
}

TEST_CASE("ResourceConfigForPod: init containers count as their peak, sidecars add up, overhead adds") {
  kube::PodSpec spec;
  spec.containers = {container("app", {{"cpu", q("100m")}}, {{"cpu", q("100m")}, {"memory", q("10Mi")}})};
  // A big init container: the pod needs its request while it runs.
  spec.init_containers = {container("init", {{"cpu", q("500m")}}, {{"cpu", q("500m")}, {"memory", q("50Mi")}})};
  auto r = resource_config_for_pod(spec, QosClass::kBurstable);
  CHECK(r.cpu_shares == 512);
  CHECK(r.cpu_quota_us == 50000);
  CHECK(r.memory_limit_bytes == 50 << 20);

  // A sidecar runs next to the app containers: summed.
  auto sidecar = container("proxy", {{"cpu", q("100m")}}, {{"cpu", q("100m")}, {"memory", q("10Mi")}});
  sidecar.restart_policy = "Always";
  spec.init_containers = {sidecar};
  r = resource_config_for_pod(spec, QosClass::kBurstable);
  CHECK(r.cpu_shares == 204);
  CHECK(r.cpu_quota_us == 20000);
  CHECK(r.memory_limit_bytes == 20 << 20);

  spec.overhead = {{"cpu", q("100m")}, {"memory", q("5Mi")}};
  r = resource_config_for_pod(spec, QosClass::kBurstable);
  CHECK(r.cpu_shares == 307);
  CHECK(r.cpu_quota_us == 30000);
  CHECK(r.memory_limit_bytes == 25 << 20);
}
