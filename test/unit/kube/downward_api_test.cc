// The downward API values (kube/downward_api.h): fieldRef paths and resourceFieldRef rounding,
// as env variables and downwardAPI volumes see them.
#include <catch2/catch.hpp>

#include "kube/downward_api.h"
#include "kube/quantity.h"

using namespace nodeagent::kube;

namespace {

DownwardApiContext context() {
  DownwardApiContext ctx;
  ctx.node_name = "node-a";
  ctx.pod_ip = "10.244.1.5";
  ctx.pod_ips = {"10.244.1.5", "fd00::5"};
  ctx.host_ip = "192.168.50.1";
  ctx.node_allocatable_cpu_millis = 4000;
  ctx.node_allocatable_memory_bytes = 8LL << 30;
  return ctx;
}

Pod pod() {
  Pod p;
  p.metadata.name = "web";
  p.metadata.namespace_ = "default";
  p.metadata.uid = "uid-web";
  p.metadata.labels = {{"app", "web"}, {"tier", "front"}};
  p.metadata.annotations = {{"note", "x"}};
  Container c;
  c.name = "c";
  p.spec.containers.push_back(c);
  Container side;
  side.name = "side";
  side.resources.requests["memory"] = *parse_quantity("64Mi");
  p.spec.init_containers.push_back(side);
  return p;
}

std::string field(const Pod& p, const std::string& path) {
  auto v = field_ref_value(p, path, context());
  return v.ok() ? *v : "error: " + v.error().message;
}

}  // namespace

TEST_CASE("fieldRef paths: metadata, labels and annotations, spec and status") {
  auto p = pod();
  CHECK(field(p, "metadata.name") == "web");
  CHECK(field(p, "metadata.namespace") == "default");
  CHECK(field(p, "metadata.uid") == "uid-web");
  CHECK(field(p, "metadata.labels") == "app=\"web\"\ntier=\"front\"");
  CHECK(field(p, "metadata.labels['app']") == "web");
  CHECK(field(p, "metadata.labels['missing']").empty());
  CHECK(field(p, "metadata.annotations['note']") == "x");
  CHECK(field(p, "spec.nodeName") == "node-a");  // static pod: the node's name
  p.spec.node_name = "bound";
  CHECK(field(p, "spec.nodeName") == "bound");
  CHECK(field(p, "status.podIP") == "10.244.1.5");
  CHECK(field(p, "status.podIPs") == "10.244.1.5,fd00::5");
  CHECK(field(p, "status.hostIP") == "192.168.50.1");
  CHECK(field(p, "status.phase") == "error: unsupported fieldPath \"status.phase\"");
}

TEST_CASE("resourceFieldRef rounds up to the divisor") {
  auto p = pod();
  auto& c = p.spec.containers[0];
  c.resources.limits["cpu"] = *parse_quantity("1250m");
  ResourceFieldSelector sel;
  sel.resource = "limits.cpu";
  CHECK(*resource_ref_value(p, c, sel, context()) == "2");
  c.resources.limits["cpu"] = *parse_quantity("250m");
  CHECK(*resource_ref_value(p, c, sel, context()) == "1");
  sel.divisor = *parse_quantity("1m");
  CHECK(*resource_ref_value(p, c, sel, context()) == "250");
}

TEST_CASE("resourceFieldRef: no limit is the node's allocatable; other containers by name") {
  auto p = pod();
  const auto& c = p.spec.containers[0];
  ResourceFieldSelector sel;
  sel.resource = "limits.cpu";
  CHECK(*resource_ref_value(p, c, sel, context()) == "4");
  sel.resource = "requests.cpu";
  CHECK(*resource_ref_value(p, c, sel, context()) == "0");
  sel.resource = "requests.memory";
  sel.container_name = "side";
  sel.divisor = *parse_quantity("1Mi");
  CHECK(*resource_ref_value(p, c, sel, context()) == "64");
  sel.container_name = "nobody";
  auto missing = resource_ref_value(p, c, sel, context());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "resourceFieldRef: container \"nobody\" not found");
}
