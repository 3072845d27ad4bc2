#include "agent/cluster/node_lease.h"

#include <thread>

#include <catch2/catch.hpp>

#include "kube/time.h"
#include "test/unit/cluster/fake_node_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using nlohmann::json;
using Catch::Matchers::Contains;
using testing::FakeNodeApi;

namespace {

constexpr const char* kLeases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
constexpr const char* kLease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1";

struct Harness {
  FakeNodeApi api;
  kube::client::ApiClient client{api.http(), api.config()};
  ManualClock clock{kube::parse_time("2026-12-02T13:00:00.123456Z").value()};
  NodeLease lease{ClusterContext{&client, "n1", &clock}};

  void add_node() { api.put_object("/api/v1/nodes/n1", {{"metadata", {{"name", "n1"}, {"uid", "node-uid-1"}}}}); }
};

}  // namespace

TEST_CASE("node lease: created with kubelet's fields, then renewed by PUT alone") {
  Harness h;
  h.add_node();
  CHECK(h.lease.renew_interval() == std::chrono::seconds(10));
  REQUIRE(h.lease.renew().ok());
  CHECK(h.api.calls() == std::vector<std::string>{std::string("GET ") + kLease, "GET /api/v1/nodes/n1", std::string("POST ") + kLeases});
  json made = h.api.object(kLease);
  CHECK(made["apiVersion"] == "coordination.k8s.io/v1");
  CHECK(made["kind"] == "Lease");
  CHECK(made["metadata"]["namespace"] == "kube-node-lease");
  CHECK(made["spec"]["holderIdentity"] == "n1");
  CHECK(made["spec"]["leaseDurationSeconds"] == 40);
  CHECK(made["spec"]["renewTime"] == "2026-12-02T13:00:00.123456Z");
  CHECK(made["metadata"]["ownerReferences"] ==
        json::parse(R"([{"apiVersion":"v1","kind":"Node","name":"n1","uid":"node-uid-1"}])"));
  CHECK(h.lease.last_renewed() == h.clock.now());

  h.api.clear_calls();
  h.clock.advance(std::chrono::seconds(10));
  REQUIRE(h.lease.renew().ok());
  CHECK(h.api.calls() == std::vector<std::string>{std::string("PUT ") + kLease});
  json put = h.api.bodies(std::string("PUT ") + kLease).at(0);
  CHECK(put["spec"]["renewTime"] == "2026-12-02T13:00:10.123456Z");
  CHECK(put["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"]);  // optimistic: the version written last
  CHECK(h.api.object(kLease)["spec"]["renewTime"] == "2026-12-02T13:00:10.123456Z");
}

TEST_CASE("node lease: a conflict reads the Lease again and writes over the newer version") {
  Harness h;
  h.add_node();
  REQUIRE(h.lease.renew().ok());
  // Another writer (say, someone with kubectl) touched it.
  h.api.edit(kLease, [](json& l) { l["metadata"]["labels"]["touched"] = "yes"; });
  h.api.clear_calls();
  h.clock.advance(std::chrono::seconds(10));
  REQUIRE(h.lease.renew().ok());
  CHECK(h.api.calls() == std::vector<std::string>{std::string("PUT ") + kLease, std::string("GET ") + kLease,
                                                  std::string("PUT ") + kLease});
  json now = h.api.object(kLease);
  CHECK(now["metadata"]["labels"]["touched"] == "yes");
  CHECK(now["spec"]["renewTime"] == "2026-12-02T13:00:10.123456Z");
}

TEST_CASE("node lease: without a Node yet there is no owner; a later renewal adds it") {
  Harness h;
  REQUIRE(h.lease.renew().ok());
  CHECK_FALSE(h.api.object(kLease)["metadata"].contains("ownerReferences"));
  h.add_node();
  h.clock.advance(std::chrono::seconds(10));
  REQUIRE(h.lease.renew().ok());
  CHECK(h.api.object(kLease)["metadata"]["ownerReferences"][0]["uid"] == "node-uid-1");
}

TEST_CASE("node lease: errors are returned with the lease named, and the next renewal starts from a read") {
  Harness h;
  h.add_node();
  REQUIRE(h.lease.renew().ok());
  h.api.set_down(true);
  auto st = h.lease.renew();
  REQUIRE(!st.ok());
  CHECK(st.error().code == ErrorCode::kUnavailable);
  CHECK_THAT(st.error().message, Contains("node lease n1"));
  h.api.set_down(false);
  h.api.clear_calls();
  REQUIRE(h.lease.renew().ok());
  CHECK(h.api.calls() == std::vector<std::string>{std::string("GET ") + kLease, std::string("PUT ") + kLease});

  h.api.fail_next("GET", kLease, {403, "Forbidden", "leases.coordination.k8s.io \"n1\" is forbidden: User \"system:node:n2\" cannot get resource"});
  h.api.fail_next("PUT", kLease, {409, "Conflict", "modified"});
  st = h.lease.renew();
  REQUIRE(!st.ok());
  CHECK(st.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(st.error().message, Contains("User \"system:node:n2\""));
}

TEST_CASE("node lease: the loop keeps trying while the API server is down and renews once it is back") {
  FakeNodeApi api;
  kube::client::ApiClient client{api.http(), api.config()};
  SystemClock clock;
  NodeLeaseOptions options;
  options.lease_duration_seconds = 1;  // renew every 250 ms
  options.initial_backoff = std::chrono::milliseconds(5);
  NodeLease lease(ClusterContext{&client, "n1", &clock}, options);
  api.set_down(true);
  lease.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const size_t tries_while_down = api.calls().size();
  CHECK(tries_while_down >= 4);   // back-off 10, 20, 40, 80, 160, 250, 250 ms ...
  CHECK(tries_while_down <= 12);  // ... bounded by the renew interval, not a busy loop
  api.set_down(false);
  for (int i = 0; i < 100 && !lease.last_renewed(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(lease.last_renewed());
  const auto first = *lease.last_renewed();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  lease.stop();
  lease.stop();
  REQUIRE(lease.last_renewed());
  CHECK(*lease.last_renewed() > first);
  CHECK(api.count(std::string("PUT ") + kLease) >= 1);
}
