// Which pods a ConfigMap or Secret change concerns (volumes, projected sources, env, envFrom),
// what replace_all reports as changed, and Go's %q as the downward API quotes values.
#include <catch2/catch.hpp>

#include "kube/go_quote.h"
#include "kube/object_store.h"
#include "kube/pod_references.h"

using namespace nodeagent::kube;

namespace {

Pod pod_in(const std::string& ns) {
  Pod p;
  p.metadata.namespace_ = ns;
  p.metadata.name = "web";
  p.spec.containers.push_back(Container{});
  return p;
}

}  // namespace

TEST_CASE("a pod references ConfigMaps and Secrets through volumes, projected sources and env") {
  auto p = pod_in("default");
  Volume cm;
  cm.config_map = ConfigMapVolumeSource{"settings", {}, 0644, std::nullopt};
  Volume sec;
  sec.secret = SecretVolumeSource{"creds", {}, 0644, std::nullopt};
  Volume proj;
  VolumeProjection a, b;
  a.config_map = VolumeProjection::ConfigMapProjection{"root-ca", {}, std::nullopt};
  b.secret = VolumeProjection::SecretProjection{"token", {}, std::nullopt};
  proj.projected = ProjectedVolumeSource{{a, b}, 0644};
  p.spec.volumes = {cm, sec, proj};
  CHECK(pod_references(p, "ConfigMap", "default", "settings"));
  CHECK(pod_references(p, "Secret", "default", "creds"));
  CHECK(pod_references(p, "ConfigMap", "default", "root-ca"));
  CHECK(pod_references(p, "Secret", "default", "token"));
  CHECK_FALSE(pod_references(p, "Secret", "default", "settings"));  // kinds do not mix
  CHECK_FALSE(pod_references(p, "ConfigMap", "other", "settings"));  // nor namespaces
  CHECK_FALSE(pod_references(p, "PersistentVolumeClaim", "default", "settings"));

  auto e = pod_in("default");
  EnvVar v;
  v.name = "X";
  v.value_from = EnvVarSource{};
  v.value_from->secret_key_ref = SecretKeySelector{"env-secret", "k", std::nullopt};
  Container init;
  init.env.push_back(v);
  e.spec.init_containers.push_back(init);
  EnvFromSource from;
  from.config_map_ref = ConfigMapEnvSource{"env-cm", std::nullopt};
  e.spec.containers[0].env_from.push_back(from);
  CHECK(pod_references(e, "Secret", "default", "env-secret"));
  CHECK(pod_references(e, "ConfigMap", "default", "env-cm"));
  CHECK_FALSE(pod_references(e, "ConfigMap", "default", "settings"));
}

TEST_CASE("replace_all reports the objects added, changed and removed") {
  InMemoryObjectStore store;
  ObjectSet set;
  ConfigMap cm;
  cm.metadata.namespace_ = "default";
  cm.metadata.name = "settings";
  cm.data["k"] = "1";
  set.config_maps.push_back(cm);
  Secret s;
  s.metadata.namespace_ = "default";
  s.metadata.name = "creds";
  set.secrets.push_back(s);
  CHECK(store.replace_all(set) == std::vector<ObjectChange>{{"ConfigMap", "default", "settings"},
                                                            {"Secret", "default", "creds"}});
  CHECK(store.replace_all(set).empty());  // the same snapshot again: nothing changed
  set.config_maps[0].data["k"] = "2";
  CHECK(store.replace_all(set) == std::vector<ObjectChange>{{"ConfigMap", "default", "settings"}});
  set.secrets.clear();
  CHECK(store.replace_all(set) == std::vector<ObjectChange>{{"Secret", "default", "creds"}});
}

TEST_CASE("go_quote escapes as Go's %q") {
  CHECK(go_quote("web") == "\"web\"");
  CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(go_quote("l1\nl2\t") == "\"l1\\nl2\\t\"");
  CHECK(go_quote(std::string("\x01\x7f", 2)) == "\"\\x01\\x7f\"");
  CHECK(go_quote("h\xc3\xa9llo \xe4\xb8\x96") == "\"h\xc3\xa9llo \xe4\xb8\x96\"");  // printable UTF-8 kept
  CHECK(go_quote("\xff") == "\"\\xff\"");                                            // invalid byte
  CHECK(go_quote("\xc2\x85") == "\"\\u0085\"");                                      // C1 control
}
