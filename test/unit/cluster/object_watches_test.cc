// ObjectWatches: one list + watch per ConfigMap/Secret by metadata.name, answers from the watch's
// copy, changes passed on at once, 403 returned and the watch retired, unused and immutable
// watches stopped. Against a scripted API server whose watches deliver queued events.
#include "agent/cluster/object_watches.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <deque>
#include <thread>

#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using nlohmann::json;
using kube::client::testing::json_response;

namespace {

json config_map(const std::string& name, const std::string& rv, const std::string& value, bool immutable = false) {
  json cm = {{"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}}}, {"data", {{"key", value}}}};
  if (immutable) cm["immutable"] = true;
  return cm;
}

// Lists answer with `listed` (empty: no such object); watches hand out the queued events, or
// end after a few milliseconds without any (the reflector resumes them).
struct FakeServer {
  std::mutex mu;
  std::optional<json> listed;
  bool forbidden = false;
  std::deque<json> events;
  std::vector<std::string> lists;
  std::atomic<int> watches{0};

  http::HttpResponse serve(const http::HttpRequest& r) {
    if (r.url.find("watch=true") != std::string::npos) {
      ++watches;
      std::string body;
      {
        std::lock_guard lock(mu);
        for (; !events.empty(); events.pop_front()) body += events.front().dump() + "\n";
      }
      if (body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return json_response(200, body);
    }
    std::lock_guard lock(mu);
    lists.push_back(r.url.substr(std::string("https://api:6443").size()));
    if (forbidden)
      return json_response(403, json{{"kind", "Status"}, {"code", 403}, {"reason", "Forbidden"},
                                     {"message", "configmaps \"secret-ish\" is forbidden: User \"system:node:n1\" cannot list resource "
                                                 "\"configmaps\" in API group \"\" in the namespace \"default\": no "
                                                 "relationship found between node 'n1' and this object"}}
                                        .dump());
    json items = json::array();
    if (listed) items.push_back(*listed);
    return json_response(200, json{{"metadata", {{"resourceVersion", "100"}}}, {"items", items}}.dump());
  }
  void push(const std::string& type, const json& object) {
    std::lock_guard lock(mu);
    events.push_back({{"type", type}, {"object", object}});
  }
  size_t list_count() {
    std::lock_guard lock(mu);
    return lists.size();
  }
};

struct Fixture {
  FakeServer server;
  ManualClock clock;
  kube::client::ApiClient client;
  cluster::ObjectWatches watches;
  std::mutex mu;
  std::vector<kube::ObjectChange> changes;

  Fixture()
      : client(std::make_shared<kube::client::testing::ScriptedApi>([this](const http::HttpRequest& r) { return server.serve(r); }),
               [] {
                 kube::client::ClientConfig c;
                 c.server = "https://api:6443";
                 return c;
               }()),
        watches(client, clock) {
    watches.set_on_changes([this](std::vector<kube::ObjectChange> c) {
      std::lock_guard lock(mu);
      changes.insert(changes.end(), c.begin(), c.end());
    });
  }
  std::string value(const std::string& name) {
    auto got = watches.get(cluster::ObjectKind::kConfigMap, "default", name);
    if (!got.ok()) return "error: " + got.error().message;
    return std::get<kube::ConfigMap>(*got).data.at("key");
  }
  bool changed_within_a_second() {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mu);
        if (!changes.empty()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
};

}  // namespace

TEST_CASE("object watches: a list by metadata.name on first use, then answers from the watch's copy") {
  Fixture f;
  f.server.listed = config_map("settings", "7", "a");
  CHECK(f.value("settings") == "a");
  REQUIRE(f.server.list_count() == 1);
  CHECK(f.server.lists[0] == "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dsettings&limit=500");
  for (int i = 0; i < 5; ++i) CHECK(f.value("settings") == "a");
  CHECK(f.server.list_count() == 1);  // no request per read
  CHECK(f.watches.size() == 1);
}

TEST_CASE("object watches: a change arrives by the watch, is passed on at once and read from then on") {
  Fixture f;
  f.server.listed = config_map("settings", "7", "a");
  CHECK(f.value("settings") == "a");
  f.server.push("MODIFIED", config_map("settings", "8", "b"));
  REQUIRE(f.changed_within_a_second());
  {
    std::lock_guard lock(f.mu);
    CHECK(f.changes == std::vector<kube::ObjectChange>{{"ConfigMap", "default", "settings"}});
  }
  CHECK(f.value("settings") == "b");
  CHECK(f.server.list_count() == 1);
}

TEST_CASE("object watches: a missing object is kubelet's not found until an ADDED brings it") {
  Fixture f;
  CHECK(f.value("later") == "error: configmap \"later\" not found");
  f.server.push("ADDED", config_map("later", "9", "here"));
  REQUIRE(f.changed_within_a_second());
  CHECK(f.value("later") == "here");
}

TEST_CASE("object watches: a 403 is returned at once, naming the object, and the next read asks again") {
  Fixture f;
  f.server.forbidden = true;
  auto got = f.watches.get(cluster::ObjectKind::kConfigMap, "default", "secret-ish");
  REQUIRE(!got.ok());
  CHECK(got.error().code == ErrorCode::kPermissionDenied);
  CHECK_THAT(got.error().message, Catch::Matchers::StartsWith("configmaps \"secret-ish\" is forbidden: User \"system:node:n1\""));
  CHECK(f.watches.size() == 0);  // retired: not left in the reflector's 5-minute 403 back-off
  f.watches.maintain();

  f.server.forbidden = false;  // the authorizer has learnt of the pod that references it
  f.server.listed = config_map("secret-ish", "3", "ok");
  CHECK(f.value("secret-ish") == "ok");
  CHECK(f.server.list_count() == 2);
}

TEST_CASE("object watches: a watch no read has used for forget_after is stopped; immutable ones stop watching") {
  Fixture f;
  f.server.listed = config_map("settings", "7", "a");
  CHECK(f.value("settings") == "a");
  f.clock.advance(std::chrono::seconds(299));
  f.watches.maintain();
  CHECK(f.watches.size() == 1);
  f.clock.advance(std::chrono::seconds(1));
  f.watches.maintain();
  CHECK(f.watches.size() == 0);

  f.server.listed = config_map("frozen", "5", "x", /*immutable=*/true);
  CHECK(f.value("frozen") == "x");
  f.watches.maintain();  // stops its reflector, keeps the copy
  const int watches = f.server.watches.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(f.server.watches.load() == watches);
  CHECK(f.value("frozen") == "x");
  CHECK(f.server.list_count() == 2);
}
