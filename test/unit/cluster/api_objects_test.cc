// ApiObjectSource with ChangeDetection::kCache: GET on demand with kubelet's TTL cache, kubelet's messages for 404 and 403,
// refresh() reporting changes, entries dropped when refused or unused; CompositeObjectSource.
#include "agent/cluster/api_objects.h"

#include <catch2/catch.hpp>
#include <set>

#include "agent/cluster/composite_object_source.h"
#include "test/unit/kube/client/scripted_api.h"

using namespace nodeagent;
using nlohmann::json;
using kube::client::testing::json_response;
using std::chrono::seconds;

namespace {

json config_map(const std::string& name, const std::string& rv, const std::string& value, bool immutable = false) {
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
             {"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}, {"uid", "u-" + name}}},
             {"data", {{"key", value}}}};
  if (immutable) cm["immutable"] = true;
  return cm;
}

std::string status(int code, const std::string& reason, const std::string& message) {
  return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"code", code}, {"reason", reason}, {"message", message}}
      .dump();
}

// An API server holding objects by path; a path not there is 404, one in `forbidden` 403.
struct FakeServer {
  std::mutex mu;
  std::map<std::string, json> objects;
  std::set<std::string> forbidden;
  long fail_with = 0;  // every request answers this status (0 = serve normally)
  std::vector<std::string> gets;

  http::HttpResponse serve(const http::HttpRequest& r) {
    std::lock_guard lock(mu);
    auto path = r.url.substr(std::string("https://api:6443").size());
    gets.push_back(path);
    if (fail_with) return json_response(fail_with, status(static_cast<int>(fail_with), "InternalError", "etcd is down"));
    auto name = path.substr(path.rfind('/') + 1);
    auto resource = path.substr(0, path.rfind('/'));
    resource = resource.substr(resource.rfind('/') + 1);
    if (forbidden.count(path))
      return json_response(403, status(403, "Forbidden",
                                       resource + " \"" + name + "\" is forbidden: User \"system:node:n1\" cannot get resource \"" +
                                           resource + "\" in API group \"\" in the namespace \"default\": no relationship found "
                                                      "between node 'n1' and this object"));
    auto it = objects.find(path);
    if (it == objects.end()) return json_response(404, status(404, "NotFound", resource + " \"" + name + "\" not found"));
    return json_response(200, it->second.dump());
  }
  size_t count() {
    std::lock_guard lock(mu);
    return gets.size();
  }
};

struct Fixture {
  FakeServer server;
  ManualClock clock;
  kube::client::ApiClient client;
  cluster::ApiObjectSource source;

  Fixture()
      : client(std::make_shared<kube::client::testing::ScriptedApi>([this](const http::HttpRequest& r) { return server.serve(r); }),
               [] {
                 kube::client::ClientConfig c;
                 c.server = "https://api:6443";
                 return c;
               }()),
        source(cluster::ClusterContext{&client, "n1", &clock}, [] {
          cluster::ApiObjectsOptions o;
          o.change_detection = cluster::ChangeDetection::kCache;  // object_watches_test covers kWatch
          return o;
        }()) {}
};

const std::string kSettings = "/api/v1/namespaces/default/configmaps/settings";

}  // namespace

TEST_CASE("api objects: a GET on first use, the cached copy within the TTL, a GET again after it") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "a");
  auto cm = f.source.get_config_map("default", "settings");
  REQUIRE(cm.ok());
  CHECK(cm->data.at("key") == "a");
  CHECK(f.server.gets == std::vector<std::string>{kSettings});

  f.server.objects[kSettings] = config_map("settings", "2", "b");
  f.clock.advance(seconds(49));
  CHECK(f.source.get_config_map("default", "settings")->data.at("key") == "a");
  CHECK(f.server.count() == 1);
  f.clock.advance(seconds(1));
  CHECK(f.source.get_config_map("default", "settings")->data.at("key") == "b");
  CHECK(f.server.count() == 2);
}

TEST_CASE("api objects: 404 and 403 in kubelet's words; an error is never cached") {
  Fixture f;
  auto missing = f.source.get_config_map("default", "nope");
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(missing.error().message == "configmap \"nope\" not found");
  (void)f.source.get_config_map("default", "nope");
  CHECK(f.server.count() == 2);  // asked again: a missing object may appear

  f.server.forbidden.insert("/api/v1/namespaces/default/secrets/other");
  auto refused = f.source.get_secret("default", "other");
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == ErrorCode::kPermissionDenied);
  CHECK(refused.error().message ==
        "secrets \"other\" is forbidden: User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the "
        "namespace \"default\": no relationship found between node 'n1' and this object");

  auto pv = f.source.get_persistent_volume("pv-1");
  CHECK(pv.error().message == "persistentvolume \"pv-1\" not found");
  CHECK(f.server.gets.back() == "/api/v1/persistentvolumes/pv-1");
  auto pvc = f.source.get_persistent_volume_claim("default", "data");
  CHECK(pvc.error().message == "persistentvolumeclaim \"data\" not found");
  CHECK(f.server.gets.back() == "/api/v1/namespaces/default/persistentvolumeclaims/data");
}

TEST_CASE("api objects: PVs and PVCs by name; lists are refused (the control plane binds)") {
  Fixture f;
  f.server.objects["/api/v1/namespaces/default/persistentvolumeclaims/data"] = {
      {"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"},
      {"metadata", {{"namespace", "default"}, {"name", "data"}, {"uid", "c1"}, {"resourceVersion", "3"}}},
      {"spec", {{"volumeName", "pv-1"}, {"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
      {"status", {{"phase", "Bound"}}}};
  f.server.objects["/api/v1/persistentvolumes/pv-1"] = {
      {"metadata", {{"name", "pv-1"}, {"resourceVersion", "4"}}},  // no kind, as some answers come
      {"spec", {{"capacity", {{"storage", "1Gi"}}}, {"accessModes", {"ReadWriteOnce"}}, {"hostPath", {{"path", "/data"}}},
                {"claimRef", {{"namespace", "default"}, {"name", "data"}, {"uid", "c1"}}}}}};
  auto pvc = f.source.get_persistent_volume_claim("default", "data");
  REQUIRE(pvc.ok());
  REQUIRE(pvc->spec.volume_name == "pv-1");
  auto pv = f.source.get_persistent_volume(pvc->spec.volume_name);
  REQUIRE(pv.ok());
  CHECK(pv->spec.claim_ref->uid == "c1");
  auto pvs = f.source.list_persistent_volumes();
  REQUIRE(!pvs.ok());
  CHECK(pvs.error().code == ErrorCode::kFailedPrecondition);
  CHECK(!f.source.list_persistent_volume_claims().ok());
}

TEST_CASE("api objects: refresh() reports changes, deletions and appearances; nothing before the TTL") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "a");
  REQUIRE(f.source.get_config_map("default", "settings").ok());
  REQUIRE(!f.source.get_secret("default", "later").ok());
  f.clock.advance(seconds(10));
  CHECK(f.source.refresh().empty());
  CHECK(f.server.count() == 2);  // nothing was due

  f.clock.advance(seconds(40));
  CHECK(f.source.refresh().empty());  // re-read, unchanged (the missing Secret is still missing)
  CHECK(f.server.count() == 4);

  f.server.objects[kSettings] = config_map("settings", "2", "b");
  f.server.objects["/api/v1/namespaces/default/secrets/later"] = {
      {"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"namespace", "default"}, {"name", "later"}, {"resourceVersion", "5"}}}};
  f.clock.advance(seconds(50));
  auto changes = f.source.refresh();
  CHECK(changes == std::vector<kube::ObjectChange>{{"ConfigMap", "default", "settings"}, {"Secret", "default", "later"}});
  CHECK(f.source.get_config_map("default", "settings")->data.at("key") == "b");  // from the refresh, no GET
  CHECK(f.server.count() == 6);

  f.server.objects.erase(kSettings);
  f.clock.advance(seconds(50));
  changes = f.source.refresh();
  CHECK(changes == std::vector<kube::ObjectChange>{{"ConfigMap", "default", "settings"}});
  CHECK(f.source.get_config_map("default", "settings").error().code == ErrorCode::kNotFound);
}

TEST_CASE("api objects: a change seen by a read's own GET is reported by the next refresh") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "a");
  REQUIRE(f.source.get_config_map("default", "settings").ok());
  f.server.objects[kSettings] = config_map("settings", "2", "b");
  f.clock.advance(seconds(60));
  REQUIRE(f.source.get_config_map("default", "settings")->data.at("key") == "b");
  CHECK(f.source.refresh() == std::vector<kube::ObjectChange>{{"ConfigMap", "default", "settings"}});
  CHECK(f.source.refresh().empty());
}

TEST_CASE("api objects: a refused refresh or a long unused entry is dropped") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "a");
  f.server.objects["/api/v1/namespaces/default/configmaps/old"] = config_map("old", "1", "x");
  REQUIRE(f.source.get_config_map("default", "settings").ok());
  REQUIRE(f.source.get_config_map("default", "old").ok());
  CHECK(f.source.cached() == 2);
  // The pod that referenced "old" is gone: the Node authorizer refuses it now.
  f.server.forbidden.insert("/api/v1/namespaces/default/configmaps/old");
  f.clock.advance(seconds(50));
  CHECK(f.source.refresh().empty());
  CHECK(f.source.cached() == 1);
  // Nothing reads "settings" for 5 minutes: forgotten without a request.
  f.clock.advance(seconds(250));
  auto before = f.server.count();
  CHECK(f.source.refresh().empty());
  CHECK(f.source.cached() == 0);
  CHECK(f.server.count() == before);
}

TEST_CASE("api objects: an API server that fails gives the cached copy; immutable objects are read once") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "a");
  f.server.objects["/api/v1/namespaces/default/configmaps/fixed"] = config_map("fixed", "1", "f", true);
  REQUIRE(f.source.get_config_map("default", "settings").ok());
  REQUIRE(f.source.get_config_map("default", "fixed").ok());
  f.server.fail_with = 503;
  f.clock.advance(seconds(60));
  auto cm = f.source.get_config_map("default", "settings");
  REQUIRE(cm.ok());
  CHECK(cm->data.at("key") == "a");
  CHECK(f.server.count() == 3);
  CHECK(f.source.get_config_map("default", "fixed").ok());
  CHECK(f.server.count() == 3);
  CHECK(f.source.refresh().empty());
  CHECK(f.server.count() == 4);  // settings only

  auto never = f.source.get_secret("default", "s");
  REQUIRE(!never.ok());
  CHECK(never.error().code == ErrorCode::kUnavailable);
}

TEST_CASE("composite objects: the files first, the API server for what they lack") {
  Fixture f;
  f.server.objects[kSettings] = config_map("settings", "1", "api");
  kube::InMemoryObjectStore files;
  kube::ObjectSet set;
  kube::ConfigMap local;
  local.metadata.namespace_ = "default";
  local.metadata.name = "static";
  local.data["key"] = "file";
  set.config_maps.push_back(local);
  kube::PersistentVolume pv;
  pv.metadata.name = "local-pv";
  set.persistent_volumes.push_back(pv);
  (void)files.replace_all(set);
  cluster::CompositeObjectSource objects(files, f.source);

  CHECK(objects.get_config_map("default", "static")->data.at("key") == "file");
  CHECK(f.server.count() == 0);
  CHECK(objects.get_config_map("default", "settings")->data.at("key") == "api");
  auto missing = objects.get_secret("default", "none");
  CHECK(missing.error().message == "secret \"none\" not found");
  auto pvs = objects.list_persistent_volumes();
  REQUIRE(pvs.ok());
  REQUIRE(pvs->size() == 1);
  CHECK((*pvs)[0].metadata.name == "local-pv");
}
