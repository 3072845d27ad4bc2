// Chain names must equal kube-proxy's for the same Service port (values from kube-proxy's own
// proxier tests), so operators can recognise them.
#include <catch2/catch.hpp>

#include "network/proxy/chain_names.h"

using namespace nodeagent::network::proxy;

TEST_CASE("chain names hash like kube-proxy") {
  ServicePortName svc1{"ns1", "svc1", "p80"};
  CHECK(service_chain(svc1, Protocol::kTcp) == "KUBE-SVC-XPGD46QRK7WJZT7O");
  CHECK(external_chain(svc1, Protocol::kTcp) == "KUBE-EXT-XPGD46QRK7WJZT7O");
  CHECK(endpoint_chain(svc1, Protocol::kTcp, "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ");
  CHECK(service_chain(ServicePortName{"ns2", "svc2", "p80"}, Protocol::kTcp) == "KUBE-SVC-GNZBNJ2PO5MGZ6GT");
}

TEST_CASE("only per-service chains count as owned") {
  CHECK(is_per_service_chain("KUBE-SEP-SXIVWICOYRO3J4NJ"));
  CHECK(is_per_service_chain("KUBE-FW-XPGD46QRK7WJZT7O"));
  CHECK_FALSE(is_per_service_chain("KUBE-SERVICES"));
  CHECK_FALSE(is_per_service_chain("DOCKER"));
}
