// kube objects -> model (decoded from JSON by kube first): defaults, and errors that name the object and the field.
#include <catch2/catch.hpp>

#include "network/proxy/change_tracker.h"
#include "test/support/proxy_objects.h"

using namespace nodeagent;
using namespace nodeagent::network::proxy;
using proxytest::endpoint_slice_from_json;
using proxytest::service_from_json;
using nlohmann::json;

namespace {
json service(const std::string& spec_ports, const std::string& type = "ClusterIP") {
  return json::parse(R"({"metadata": {"name": "web"}, "spec": {"type": ")" + type +
                     R"(", "clusterIP": "10.96.0.10", "ports": )" + spec_ports + "}}");
}
std::string error_of(const Result<ServiceInfo>& r) { return r.ok() ? "" : r.error().message; }
}  // namespace

TEST_CASE("service defaults") {
  auto r = service_from_json(service(R"([{"port": 80}])"));
  REQUIRE(r.ok());
  REQUIRE(r->ports.size() == 1);
  const auto& p = r->ports[0];
  CHECK(r->name.ns == "default");
  CHECK(p.name.to_string() == "default/web");
  CHECK(p.protocol == Protocol::kTcp);
  CHECK(p.affinity_timeout_seconds == 10800);
  CHECK_FALSE(p.session_affinity_client_ip);
  CHECK(p.cluster_ip == 0x0a60000a);
}

TEST_CASE("bad ports are rejected naming object and field") {
  // kube's check_service reports every field (targetPort is defaulted to the port).
  CHECK(error_of(service_from_json(service(R"([{"port": 0}])"))) ==
        "service default/web: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive; "
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive");
  CHECK(error_of(service_from_json(service(R"([{"name": "a", "port": 80}, {"name": "a", "port": 81}])"))) ==
        "service default/web: spec.ports[1].name: Duplicate value: \"a\"");
  CHECK(error_of(service_from_json(service(R"([{"port": 80, "nodePort": 80}])", "NodePort"))) ==
        "service default/web: spec.ports[0].nodePort: Invalid value: 80: must be between 30000 and 32767, inclusive");
  CHECK(error_of(service_from_json(service(R"([{"port": 80, "protocol": "ICMP"}])"))).find("spec.ports[0].protocol") !=
        std::string::npos);
  CHECK(error_of(service_from_json(service(R"([{"port": 80, "nodePort": 30001}])"))).find("nodePort: Forbidden") !=
        std::string::npos);
}

TEST_CASE("headless and ExternalName services have nothing to proxy") {
  auto headless = service_from_json(json::parse(R"({"metadata": {"name": "h"}, "spec": {"clusterIP": "None", "ports": [{"port": 80}]}})"));
  REQUIRE(headless.ok());
  CHECK(headless->ports.empty());
}

TEST_CASE("a nodePort already taken is rejected and the other Service keeps it") {
  ChangeTracker tracker("node-a");
  auto a = service_from_json(json::parse(R"({"metadata": {"name": "a"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.1", "ports": [{"port": 80, "nodePort": 30080}]}})"));
  auto b = service_from_json(json::parse(R"({"metadata": {"name": "b"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.2", "ports": [{"port": 80, "nodePort": 30080}]}})"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(tracker.upsert_service(*a).ok());
  auto st = tracker.upsert_service(*b);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "service default/b: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated (to service default/a)");
  CHECK(tracker.snapshot().services.size() == 1);
}

TEST_CASE("endpoint slices: conditions default to ready, locality from nodeName, terminating kept") {
  auto slice = endpoint_slice_from_json(json::parse(R"({
    "metadata": {"name": "web-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
    "addressType": "IPv4", "ports": [{"port": 8080}],
    "endpoints": [{"addresses": ["10.1.0.1"], "nodeName": "node-a"},
                  {"addresses": ["10.1.0.2"], "conditions": {"ready": false, "serving": true, "terminating": true}}]})"));
  REQUIRE(slice.ok());
  ChangeTracker tracker("node-a");
  REQUIRE(tracker.upsert_service(*service_from_json(service(R"([{"port": 80}])"))).ok());
  tracker.upsert_endpoint_slice(*slice);
  auto state = tracker.snapshot();
  const auto& eps = state.endpoints[ServicePortName{"default", "web", ""}];
  REQUIRE(eps.size() == 2);
  CHECK(eps[0].ready);
  CHECK(eps[0].is_local);
  CHECK_FALSE(eps[1].ready);
  CHECK(eps[1].terminating);
  CHECK_FALSE(eps[1].is_local);

  auto bad = endpoint_slice_from_json(json::parse(R"({"metadata": {"name": "x", "labels": {"kubernetes.io/service-name": "web"}}, "addressType": "IPv4", "endpoints": [{"addresses": ["nope"]}]})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "endpointslice default/x: endpoints[0].addresses[0]: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

TEST_CASE("loadBalancerSourceRanges: CIDRs (host bits cleared), bad ones named") {
  auto lb = [](const std::string& ranges) {
    return service_from_json(json::parse(
        R"({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.5", "loadBalancerSourceRanges": )" +
        ranges + R"(, "ports": [{"port": 80, "nodePort": 30080}]}, "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}})"));
  };
  auto ok = lb(R"(["203.0.113.7/24", "10.0.0.0/8"])");
  REQUIRE(ok.ok());
  const auto& ranges = ok->ports.at(0).load_balancer_source_ranges;
  REQUIRE(ranges.size() == 2);
  CHECK(network::iptables::format_cidr(ranges[0]) == "203.0.113.0/24");
  CHECK(network::iptables::format_cidr(ranges[1]) == "10.0.0.0/8");
  CHECK(ok->ports.at(0).load_balancer_ips == std::vector<uint32_t>{0xc000020a});
  CHECK(error_of(lb(R"(["10.0.0.0/8", "203.0.113.7"])")) ==
        "service default/lb: spec.loadBalancerSourceRanges[1]: Invalid value: \"203.0.113.7\": must be an IPv4 CIDR, e.g. 203.0.113.0/24");
  // Not a list: kube's decoder refuses it before any conversion.
  CHECK(error_of(lb(R"("10.0.0.0/8")")) == "service default/lb: spec.loadBalancerSourceRanges: expected array, got string");
}

TEST_CASE("what kube accepts but the proxy cannot program is refused by the conversion") {
  CHECK(error_of(service_from_json(json::parse(R"({"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}})"))) ==
        "service default/web: spec.clusterIP: Required value (no API server allocates one here)");
  CHECK(error_of(service_from_json(json::parse(
            R"({"metadata": {"name": "np"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.3", "ports": [{"port": 80}]}})"))) ==
        "service default/np: spec.ports[0].nodePort: Required value (no API server allocates one here)");
  auto v6 = endpoint_slice_from_json(json::parse(
      R"({"metadata": {"name": "s6", "labels": {"kubernetes.io/service-name": "web"}}, "addressType": "IPv6", "endpoints": [{"addresses": ["fd00::1"]}]})"));
  REQUIRE_FALSE(v6.ok());
  CHECK(v6.error().message == "endpointslice default/s6: addressType: Unsupported value: \"IPv6\": supported: \"IPv4\"");
}
