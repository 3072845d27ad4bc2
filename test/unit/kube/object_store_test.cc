// The in-memory ObjectSource: lookups by namespace/name, NotFound in kubelet's words, whole
// replacement per snapshot; and the test fake built on it.
#include <catch2/catch.hpp>

#include "kube/object_store.h"
#include "test/fakes/fake_object_source.h"

using namespace nodeagent;
using namespace nodeagent::kube;

namespace {

template <typename T>
T named(const std::string& ns, const std::string& name) {
  T o;
  o.metadata.namespace_ = ns;
  o.metadata.name = name;
  return o;
}

}  // namespace

TEST_CASE("the store finds objects by namespace and name, else NotFound") {
  InMemoryObjectStore store;
  ObjectSet set;
  auto cm = named<ConfigMap>("default", "settings");
  cm.data["mode"] = "fast";
  set.config_maps.push_back(cm);
  set.secrets.push_back(named<Secret>("apps", "creds"));
  set.persistent_volumes.push_back(named<PersistentVolume>("", "pv-1"));
  set.persistent_volume_claims.push_back(named<PersistentVolumeClaim>("default", "data"));
  store.replace_all(set);

  auto found = store.get_config_map("default", "settings");
  REQUIRE(found.ok());
  CHECK(found->data.at("mode") == "fast");
  CHECK(store.get_secret("apps", "creds").ok());
  CHECK(store.get_persistent_volume("pv-1").ok());
  CHECK(store.get_persistent_volume_claim("default", "data").ok());

  auto other_ns = store.get_config_map("apps", "settings");
  REQUIRE_FALSE(other_ns.ok());
  CHECK(other_ns.error().code == ErrorCode::kNotFound);
  CHECK(other_ns.error().message == "configmap \"settings\" not found");
  CHECK(store.get_secret("default", "creds").error().message == "secret \"creds\" not found");
  CHECK(store.get_persistent_volume("pv-2").error().message == "persistentvolume \"pv-2\" not found");
  CHECK(store.get_persistent_volume_claim("apps", "data").error().message ==
        "persistentvolumeclaim \"data\" not found");

  store.replace_all({});  // the next snapshot has none of them
  CHECK(store.get_config_map("default", "settings").error().code == ErrorCode::kNotFound);
}

TEST_CASE("the fake object source records gets and injects failures") {
  fakes::FakeObjectSource objects;
  objects.add(named<Secret>("default", "token"));
  CHECK(objects.get_secret("default", "token").ok());
  objects.faults.fail("get_secret", unavailable("api server down"));
  CHECK(objects.get_secret("default", "token").error().code == ErrorCode::kUnavailable);
  CHECK(objects.get_config_map("default", "x").error().code == ErrorCode::kNotFound);
  CHECK(objects.calls() == std::vector<std::string>{"get_secret default/token", "get_secret default/token",
                                                    "get_config_map default/x"});
}
