#include "agent/cluster/node_registrar.h"

#include <catch2/catch.hpp>

#include "kube/time.h"
#include "test/unit/cluster/fake_node_api.h"

using namespace nodeagent;
using namespace nodeagent::cluster;
using nlohmann::json;
using Catch::Matchers::Contains;
using testing::FakeNodeApi;

namespace {

constexpr const char* kNode = "/api/v1/nodes/n1";
constexpr const char* kStatus = "/api/v1/nodes/n1/status";

NodeFacts facts() {
  NodeFacts f;
  f.name = "n1";
  f.hostname = "n1";
  f.node_ip = "10.250.0.11";
  f.labels = {{"kubernetes.io/hostname", "n1"}, {"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"},
              {"team", "a"}};
  f.cpu_millis = 2000;
  f.memory_bytes = int64_t{4} << 30;
  f.ephemeral_storage_bytes = int64_t{20} << 30;
  f.boot_id = "b1";
  f.kubelet_version = "v0.1.0";
  f.architecture = "amd64";
  return f;
}

struct Harness {
  FakeNodeApi api;
  kube::client::ApiClient client{api.http(), api.config()};
  ManualClock clock;
  NodeHealth health;
  std::vector<runtime::ImageInfo> images;
  std::vector<NodeEvent> events;
  NodeStatusOptions options;
  std::unique_ptr<NodeStatusReporter> reporter;

  Harness() {
    options.watch_own_node = false;
    make();
  }
  void make() {
    reporter = std::make_unique<NodeStatusReporter>(
        ClusterContext{&client, "n1", &clock}, facts(), [this] { return health; },
        [this]() -> Result<std::vector<runtime::ImageInfo>> { return images; }, options,
        [this](const NodeEvent& e) { events.push_back(e); });
  }
};

const json& condition(const json& node, const std::string& type) {
  for (const auto& c : node["status"]["conditions"])
    if (c["type"] == type) return c;
  FAIL("no condition " << type);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("node registrar: registers the Node with its status") {
  Harness h;
  REQUIRE(h.reporter->register_node().ok());
  CHECK(h.reporter->registered());
  CHECK(h.api.calls() == std::vector<std::string>{"POST /api/v1/nodes"});
  json node = h.api.object(kNode);
  CHECK(node["metadata"]["labels"]["team"] == "a");
  CHECK(condition(node, "Ready")["reason"] == "KubeletReady");
  CHECK(node["status"]["capacity"]["cpu"] == "2");
  CHECK(h.reporter->node_uid() == "uid-n1");
  CHECK_FALSE(h.reporter->pod_cidr());
  std::vector<std::string> reasons;
  for (const auto& e : h.events) reasons.push_back(e.reason);
  CHECK(reasons == std::vector<std::string>{"NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"});
}

TEST_CASE("node registrar: an existing Node is kept, only kubelet's labels and annotation are reconciled") {
  Harness h;
  h.api.put_object(kNode, json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","uid":"old-uid",
      "labels":{"kubernetes.io/hostname":"renamed","team":"b","env":"prod"}},
      "spec":{"podCIDR":"10.244.3.0/24","podCIDRs":["10.244.3.0/24"],"taints":[{"key":"k","effect":"NoSchedule"}]}})"));
  REQUIRE(h.reporter->register_node().ok());
  CHECK(h.api.calls() == std::vector<std::string>{"POST /api/v1/nodes", "GET /api/v1/nodes/n1", "PATCH /api/v1/nodes/n1/status"});
  json node = h.api.object(kNode);
  CHECK(node["metadata"]["uid"] == "old-uid");
  CHECK(node["metadata"]["labels"]["kubernetes.io/hostname"] == "n1");
  CHECK(node["metadata"]["labels"]["team"] == "b");  // --node-labels are not forced onto an existing Node
  CHECK(node["metadata"]["labels"]["env"] == "prod");
  CHECK(node["metadata"]["annotations"]["volumes.kubernetes.io/controller-managed-attach-detach"] == "true");
  CHECK(node["spec"]["taints"].size() == 1);
  CHECK(h.reporter->pod_cidr() == "10.244.3.0/24");
}

TEST_CASE("node registrar: a refused identity is named in the error") {
  Harness h;
  h.api.set_identity("system:node:n2");
  h.api.fail_next("POST", "/api/v1/nodes",
                  {403, "Forbidden", "nodes \"n1\" is forbidden: node \"n2\" is not allowed to modify node \"n1\""});
  auto st = h.reporter->register_node();
  REQUIRE(!st.ok());
  CHECK(st.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(st.error().message,
             Contains("register node n1 (as User \"system:node:n2\" (groups system:nodes, system:authenticated); "
                      "kubeconfig /etc/nodeagent/kubeconfig, user entry \"system:node:n1\")"));
  CHECK_THAT(st.error().message, Contains("node \"n2\" is not allowed to modify node \"n1\""));
  CHECK_FALSE(h.reporter->registered());

  h.api.fail_next("POST", "/api/v1/nodes", {401, "Unauthorized", "Unauthorized"});
  st = h.reporter->register_node();
  CHECK(st.error().code == ErrorCode::kUnauthenticated);
  CHECK_THAT(st.error().message, Contains("refused the credentials of user \"system:node:n1\""));
}

TEST_CASE("node registrar: the status is PATCHed on change, else at most every 5 minutes") {
  Harness h;
  REQUIRE(h.reporter->register_node().ok());
  h.api.clear_calls();

  // The first round reports (nothing was reported by this reporter yet).
  REQUIRE(h.reporter->sync_status().ok());
  CHECK(h.api.calls() == std::vector<std::string>{"PATCH /api/v1/nodes/n1/status"});
  h.api.clear_calls();

  // Unchanged, 10 s later: nothing is sent.
  for (int i = 0; i < 29; ++i) {
    h.clock.advance(std::chrono::seconds(10));
    REQUIRE(h.reporter->sync_status().ok());
  }
  CHECK(h.api.calls().empty());

  // 5 minutes after the last PATCH: the heartbeat goes out anyway.
  h.clock.advance(std::chrono::seconds(10));
  REQUIRE(h.reporter->sync_status().ok());
  REQUIRE(h.api.calls() == std::vector<std::string>{"PATCH /api/v1/nodes/n1/status"});
  json patch = h.api.bodies("PATCH /api/v1/nodes/n1/status").at(0);
  CHECK(patch["status"].size() == 1);  // heartbeats only
  CHECK(condition(h.api.object(kNode), "Ready")["lastHeartbeatTime"] == kube::format_time(h.clock.now()));
  h.api.clear_calls();

  // A change is reported at once, with an event.
  h.clock.advance(std::chrono::seconds(10));
  h.health.runtime_errors = {"container runtime is down"};
  REQUIRE(h.reporter->sync_status().ok());
  CHECK(h.api.count("PATCH /api/v1/nodes/n1/status") == 1);
  json node = h.api.object(kNode);
  CHECK(condition(node, "Ready")["status"] == "False");
  CHECK(condition(node, "Ready")["message"] == "container runtime is down");
  REQUIRE(h.events.size() == 4);
  CHECK(h.events[3].reason == "NodeNotReady");

  // New images are a change too.
  h.api.clear_calls();
  h.clock.advance(std::chrono::seconds(10));
  runtime::ImageInfo img;
  img.repo_tags = {"docker.io/library/busybox:latest"};
  img.size = 2'000'000;
  h.images = {img};
  REQUIRE(h.reporter->sync_status().ok());
  CHECK(h.api.count("PATCH /api/v1/nodes/n1/status") == 1);
  CHECK(h.api.object(kNode)["status"]["images"][0]["sizeBytes"] == 2'000'000);
}

TEST_CASE("node registrar: a failed PATCH (409 included) re-reads the Node and tries again") {
  Harness h;
  REQUIRE(h.reporter->register_node().ok());
  // Someone else changed the Node meanwhile.
  h.api.edit(kNode, [](json& n) { n["spec"]["podCIDR"] = "10.244.1.0/24"; });
  h.api.clear_calls();
  h.api.fail_next("PATCH", kStatus, {409, "Conflict", "Operation cannot be fulfilled on nodes \"n1\": the object has been modified"});
  REQUIRE(h.reporter->sync_status().ok());
  CHECK(h.api.calls() ==
        std::vector<std::string>{"PATCH /api/v1/nodes/n1/status", "GET /api/v1/nodes/n1", "PATCH /api/v1/nodes/n1/status"});
  CHECK(h.reporter->pod_cidr() == "10.244.1.0/24");

  // Five failures in a row are an error naming the node; the next round starts afresh.
  h.clock.advance(std::chrono::seconds(10));
  h.health.disk_pressure = true;
  h.api.fail_next("PATCH", kStatus, {500, "InternalError", "etcdserver: request timed out"}, 5);
  auto st = h.reporter->sync_status();
  REQUIRE(!st.ok());
  CHECK_THAT(st.error().message, Contains("update status of node n1"));
  CHECK_THAT(st.error().message, Contains("etcdserver: request timed out"));
  REQUIRE(h.reporter->sync_status().ok());
  CHECK(condition(h.api.object(kNode), "DiskPressure")["status"] == "True");
}

TEST_CASE("node registrar: a deleted Node is registered again by the loop") {
  Harness h;
  REQUIRE(h.reporter->register_node().ok());
  h.api.fail_next("PATCH", kStatus, {404, "NotFound", "nodes \"n1\" not found"});
  h.api.fail_next("GET", kNode, {404, "NotFound", "nodes \"n1\" not found"}, 4);
  CHECK(!h.reporter->sync_status().ok());
  CHECK_FALSE(h.reporter->registered());
}

TEST_CASE("node registrar: wait_for_pod_cidr returns once the controller-manager allocates one") {
  Harness h;
  REQUIRE(h.reporter->register_node().ok());
  auto missing = h.reporter->wait_for_pod_cidr(std::chrono::milliseconds(50));
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == ErrorCode::kDeadlineExceeded);
  CHECK_THAT(missing.error().message, Contains("--allocate-node-cidrs"));

  h.api.edit(kNode, [](json& n) { n["spec"]["podCIDRs"] = json::array({"10.244.7.0/24"}); });
  auto cidr = h.reporter->wait_for_pod_cidr(std::chrono::seconds(5));
  REQUIRE(cidr.ok());
  CHECK(*cidr == "10.244.7.0/24");

  // A copy from a watch is taken unless it is older than the one held.
  json older = h.reporter->node();
  older["metadata"]["resourceVersion"] = "1";
  older["spec"]["podCIDRs"] = json::array({"10.244.9.0/24"});
  h.reporter->observe_node(older);
  CHECK(h.reporter->pod_cidr() == "10.244.7.0/24");
}

TEST_CASE("node registrar: the loop registers through an API server that comes up late and keeps reporting") {
  Harness h;
  h.options.update_frequency = std::chrono::milliseconds(20);
  h.options.register_initial_backoff = std::chrono::milliseconds(5);
  h.options.register_max_backoff = std::chrono::milliseconds(20);
  h.make();
  h.api.set_down(true);
  h.reporter->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(h.reporter->registered());
  h.api.set_down(false);
  for (int i = 0; i < 200 && h.api.count("PATCH /api/v1/nodes/n1/status") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  h.reporter->stop();
  h.reporter->stop();  // idempotent
  CHECK(h.reporter->registered());
  CHECK(h.api.count("PATCH /api/v1/nodes/n1/status") >= 1);
}

TEST_CASE("node registrar: node_pod_cidr prefers the first IPv4 of spec.podCIDRs") {
  CHECK(node_pod_cidr(json::parse(R"({"spec":{"podCIDR":"fd00::/64","podCIDRs":["fd00::/64","10.244.1.0/24"]}})")) == "10.244.1.0/24");
  CHECK(node_pod_cidr(json::parse(R"({"spec":{"podCIDR":"10.244.2.0/24"}})")) == "10.244.2.0/24");
  CHECK(node_pod_cidr(json::parse(R"({"spec":{}})")).empty());
  CHECK(node_pod_cidr(json()).empty());
}

TEST_CASE("node registrar: --register-node=false reports the status of a Node made by someone else, never creates one") {
  Harness h;
  h.options.register_node = false;
  h.options.update_frequency = std::chrono::milliseconds(20);
  h.make();
  h.reporter->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(h.api.count("POST /api/v1/nodes") == 0);
  CHECK(h.api.count("GET /api/v1/nodes/n1") >= 2);  // no Node yet: each round reads, finds none
  h.api.put_object(kNode, json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}})"));
  for (int i = 0; i < 200 && h.api.count("PATCH /api/v1/nodes/n1/status") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  h.reporter->stop();
  CHECK(h.api.count("POST /api/v1/nodes") == 0);
  CHECK(condition(h.api.object(kNode), "Ready")["status"] == "True");
}
