// ApiServiceSource: reflector copies -> incremental ServiceInput calls, decode errors skipped with
// a message, other proxies' and headless objects left out, the Service list for env vars, and
// the first-sync signal. Mostly driven through the change handlers; one test runs the real
// reflector threads against a scripted API server.
#include "agent/cluster/api_services.h"

#include <catch2/catch.hpp>
#include <thread>

#include "test/fakes/fake_service_input.h"
#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using kube::client::ObjectMap;
using nlohmann::json;
using Strings = std::vector<std::string>;

namespace {

// As a list returns them: no apiVersion/kind on the items.
json service(const std::string& name, const std::string& rv, const std::string& ip = "10.96.0.10",
             json labels = json::object()) {
  return {{"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}, {"labels", labels}}},
          {"spec",
           {{"clusterIP", ip}, {"clusterIPs", {ip}}, {"type", "ClusterIP"}, {"selector", {{"app", name}}},
            {"ports", {{{"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}}}}},
          {"status", {{"loadBalancer", json::object()}}}};
}

json slice(const std::string& name, const std::string& svc, const std::string& rv) {
  return {{"metadata",
           {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv},
            {"labels", {{"kubernetes.io/service-name", svc}, {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}}}},
          {"addressType", "IPv4"},
          {"ports", {{{"port", 8080}, {"protocol", "TCP"}, {"name", ""}}}},
          {"endpoints",
           {{{"addresses", {"10.1.0.5"}},
             {"conditions", {{"ready", false}, {"serving", true}, {"terminating", true}}},
             {"nodeName", "n2"}}}}};
}

ObjectMap objects(std::initializer_list<json> items) {
  ObjectMap m;
  for (const auto& o : items) m[kube::client::object_key(o)] = o;
  return m;
}

struct Fixture {
  kube::client::ApiClient client{std::make_shared<kube::client::testing::ScriptedApi>(
                                     [](const http::HttpRequest&) { return http::HttpResponse{}; }),
                                 kube::client::ClientConfig{}};
  ManualClock clock;
  fakes::FakeServiceInput input;
  Strings problems;
  std::vector<std::vector<kube::Service>> lists;
  int synced = 0;
  std::unique_ptr<cluster::ApiServiceSource> source;

  explicit Fixture(bool with_input = true) {
    cluster::ApiServicesCallbacks cb;
    cb.on_services = [this](std::vector<kube::Service> all) { lists.push_back(std::move(all)); };
    cb.on_problem = [this](const std::string& object, const std::string& message) { problems.push_back(object + ": " + message); };
    cb.on_synced = [this] { ++synced; };
    source = std::make_unique<cluster::ApiServiceSource>(cluster::ClusterContext{&client, "n1", &clock},
                                                         with_input ? &input : nullptr, cb);
  }
  Strings names_in_last_list() const {
    Strings out;
    for (const auto& s : lists.back()) out.push_back(s.metadata.namespace_ + "/" + s.metadata.name);
    return out;
  }
};

}  // namespace

TEST_CASE("api services: each list or event becomes the upserts and deletes of what changed") {
  Fixture f;
  f.source->apply_services(objects({service("a", "1"), service("b", "2", "10.96.0.11")}));
  CHECK(f.input.take() == Strings{"upsert service default/a", "upsert service default/b"});
  CHECK(f.names_in_last_list() == Strings{"default/a", "default/b"});

  // A relist with the same resourceVersions changes nothing, and the env-var list is not re-sent.
  f.source->apply_services(objects({service("a", "1"), service("b", "2", "10.96.0.11")}));
  CHECK(f.input.take().empty());
  CHECK(f.lists.size() == 1);

  // b modified, a deleted, c added: the delete comes first.
  f.source->apply_services(objects({service("b", "5", "10.96.0.11"), service("c", "6", "10.96.0.12")}));
  CHECK(f.input.take() == Strings{"delete service default/a", "upsert service default/b", "upsert service default/c"});
  CHECK(f.names_in_last_list() == Strings{"default/b", "default/c"});
  CHECK(f.lists.back()[0].spec.cluster_ip == "10.96.0.11");

  f.source->apply_slices(objects({slice("b-x1", "b", "7")}));
  CHECK(f.input.take() == Strings{"upsert slice default/b-x1"});
  f.source->apply_slices(objects({slice("b-x1", "b", "8"), slice("c-y1", "c", "9")}));
  CHECK(f.input.take() == Strings{"upsert slice default/b-x1", "upsert slice default/c-y1"});
  f.source->apply_slices(objects({slice("c-y1", "c", "9")}));
  CHECK(f.input.take() == Strings{"delete slice default/b-x1"});
  CHECK(f.problems.empty());
}

TEST_CASE("api services: endpoint conditions and nodeName reach the input as decoded") {
  struct Recording : fakes::FakeServiceInput {
    std::vector<kube::EndpointSlice> slices;
    void upsert_endpoint_slice(const kube::EndpointSlice& s) override { slices.push_back(s); }
  } input;
  kube::client::ApiClient client{std::make_shared<kube::client::testing::ScriptedApi>(
                                     [](const http::HttpRequest&) { return http::HttpResponse{}; }),
                                 kube::client::ClientConfig{}};
  ManualClock clock;
  cluster::ApiServiceSource source({&client, "n1", &clock}, &input, {});
  source.apply_slices(objects({slice("b-x1", "b", "7")}));
  REQUIRE(input.slices.size() == 1);
  const auto& ep = input.slices[0].endpoints.at(0);
  CHECK(ep.conditions.ready == false);
  CHECK(ep.conditions.serving == true);
  CHECK(ep.conditions.terminating == true);
  CHECK(ep.node_name == "n2");
  CHECK(input.slices[0].metadata.labels.at("endpointslice.kubernetes.io/managed-by") == "endpointslice-controller.k8s.io");
}

TEST_CASE("api services: an object that does not decode is skipped with a message, the rest applied") {
  Fixture f;
  f.source->apply_services(objects({service("a", "1"), service("b", "2", "10.96.0.11")}));
  f.input.take();
  auto bad = service("a", "3");
  bad["spec"]["ports"][0]["port"] = "eighty";
  f.source->apply_services(objects({bad, service("b", "4", "10.96.0.11"), service("c", "5", "10.96.0.12")}));
  // The applied version of a goes (it no longer matches the API server's), b and c go on.
  CHECK(f.input.take() == Strings{"delete service default/a", "upsert service default/b", "upsert service default/c"});
  REQUIRE(f.problems.size() == 1);
  CHECK_THAT(f.problems[0], Catch::Matchers::StartsWith("service default/a: service default/a: spec.ports[0].port"));
  CHECK(f.names_in_last_list() == Strings{"default/b", "default/c"});

  // Reported once per version: another event that leaves a alone says nothing again.
  f.source->apply_services(objects({bad, service("b", "6", "10.96.0.11"), service("c", "5", "10.96.0.12")}));
  CHECK(f.problems.size() == 1);
  CHECK(f.input.take() == Strings{"upsert service default/b"});

  // Fixed: back in.
  f.source->apply_services(objects({service("a", "7"), service("b", "6", "10.96.0.11"), service("c", "5", "10.96.0.12")}));
  CHECK(f.input.take() == Strings{"upsert service default/a"});

  auto bad_slice = slice("b-x1", "b", "8");
  bad_slice["endpoints"] = "none";
  f.source->apply_slices(objects({bad_slice, slice("c-y1", "c", "9")}));
  CHECK(f.input.take() == Strings{"upsert slice default/c-y1"});
  REQUIRE(f.problems.size() == 2);
  CHECK_THAT(f.problems[1], Catch::Matchers::StartsWith("endpointslice default/b-x1: "));
}

TEST_CASE("api services: another proxy's and headless objects stay out of the proxy, not out of env vars") {
  Fixture f;
  f.source->apply_services(objects({service("a", "1"), service("other", "2", "10.96.0.20", {{"service.kubernetes.io/service-proxy-name", "x"}})}));
  CHECK(f.input.take() == Strings{"upsert service default/a"});
  CHECK(f.names_in_last_list() == Strings{"default/a", "default/other"});
  // a is handed to another proxy: taken out of this one.
  f.source->apply_services(objects({service("a", "3", "10.96.0.10", {{"service.kubernetes.io/service-proxy-name", "x"}}),
                                    service("other", "2", "10.96.0.20", {{"service.kubernetes.io/service-proxy-name", "x"}})}));
  CHECK(f.input.take() == Strings{"delete service default/a"});
  auto headless = slice("h-1", "h", "4");
  headless["metadata"]["labels"]["service.kubernetes.io/headless"] = "";
  f.source->apply_slices(objects({headless}));
  CHECK(f.input.take().empty());
}

TEST_CASE("api services: synced once both first lists are in; without a proxy, the Services alone") {
  Fixture f;
  f.source->apply_services(objects({service("a", "1")}));
  CHECK(f.synced == 0);
  CHECK(!f.source->synced());
  f.source->apply_slices({});
  CHECK(f.synced == 1);
  CHECK(f.source->synced());
  f.source->apply_slices(objects({slice("a-1", "a", "2")}));
  f.source->apply_services({});
  CHECK(f.synced == 1);

  Fixture no_proxy(false);
  no_proxy.source->apply_services(objects({service("a", "1")}));
  CHECK(no_proxy.synced == 1);
  CHECK(no_proxy.lists.size() == 1);
  CHECK(no_proxy.input.take().empty());
}

TEST_CASE("api services: the reflectors list and watch both collections; a refused one is explained once") {
  std::atomic<int> slice_lists{0};
  auto api = std::make_shared<kube::client::testing::ScriptedApi>([&](const http::HttpRequest& r) {
    const bool watch = r.url.find("watch=true") != std::string::npos;
    if (r.url.find("/apis/discovery.k8s.io/v1/endpointslices") != std::string::npos) {
      ++slice_lists;
      return kube::client::testing::json_response(
          403, json{{"kind", "Status"}, {"code", 403}, {"reason", "Forbidden"},
                    {"message", "endpointslices.discovery.k8s.io is forbidden: User \"system:node:n1\" cannot list resource"}}
                   .dump());
    }
    if (!watch) {
      json list = {{"metadata", {{"resourceVersion", "10"}}}, {"items", {service("a", "1")}}};
      return kube::client::testing::json_response(200, list.dump());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto modified = service("a", "11", "10.96.0.99");
    modified["apiVersion"] = "v1";
    modified["kind"] = "Service";
    return kube::client::testing::json_response(200, json{{"type", "MODIFIED"}, {"object", modified}}.dump() + "\n");
  });
  kube::client::ClientConfig config;
  config.server = "https://api:6443";
  config.user_name = "system:node:n1";
  kube::client::ApiClient client(api, config);
  ManualClock clock;
  fakes::FakeServiceInput input;
  std::mutex mu;
  Strings problems;
  std::vector<kube::Service> last;
  cluster::ApiServicesCallbacks cb;
  cb.on_services = [&](std::vector<kube::Service> all) {
    std::lock_guard lock(mu);
    last = std::move(all);
  };
  cb.on_problem = [&](const std::string& object, const std::string& message) {
    std::lock_guard lock(mu);
    problems.push_back(object + ": " + message);
  };
  cluster::ApiServicesOptions o;
  o.initial_backoff = std::chrono::milliseconds(5);
  cluster::ApiServiceSource source({&client, "n1", &clock}, &input, cb, o);
  source.start();
  for (int i = 0; i < 200 && slice_lists < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  source.stop();
  auto calls = input.take();
  // The list, then the watch's MODIFIED; the resumed watches repeat resourceVersion 11: no call.
  CHECK(calls == Strings{"upsert service default/a", "upsert service default/a"});
  CHECK(!source.synced());  // the slices never listed: the proxy must not start syncing
  std::lock_guard lock(mu);
  REQUIRE(!last.empty());
  CHECK(last[0].spec.cluster_ip == "10.96.0.99");
  REQUIRE(problems.size() == 1);  // three refusals, one message
  CHECK_THAT(problems[0], Catch::Matchers::Contains("User \"system:node:n1\" cannot list"));
  CHECK_THAT(problems[0], Catch::Matchers::Contains("system:node-proxier"));
  bool labelled = false;
  for (const auto& r : api->requests)
    if (r.url.find("endpointslices?labelSelector=%21service.kubernetes.io%2Fservice-proxy-name%2C%21service.kubernetes.io%2Fheadless") !=
        std::string::npos)
      labelled = true;
  CHECK(labelled);
}
