// The configMap, secret, downwardAPI and projected plugins on a temp dir with the fake mounter
// and object source: files follow object and pod changes, a sync with nothing new writes and
// mounts nothing, immutable objects are not read again, secrets get one tmpfs, errors name the
// volume and the object.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "test/fakes/fake_mounter.h"
#include "test/fakes/fake_object_source.h"
#include "test/support/temp_dir.h"
#include "volumes/configmap/config_map.h"
#include "volumes/downwardapi/downward_api_volume.h"
#include "volumes/projected/projected.h"
#include "volumes/secret/secret.h"

using namespace nodeagent;
using namespace nodeagent::volumes;
using nodeagent::testing::slurp;
using nodeagent::testing::TempDir;
namespace fs = std::filesystem;

namespace {

kube::Pod pod() {
  kube::Pod p;
  p.metadata.namespace_ = "default";
  p.metadata.name = "web";
  p.metadata.uid = "uid-1";
  p.metadata.labels = {{"app", "web"}};
  return p;
}

kube::ConfigMap config_map(const std::string& value, bool immutable = false) {
  kube::ConfigMap cm;
  cm.metadata.namespace_ = "default";
  cm.metadata.name = "settings";
  cm.data = {{"mode", value}};
  if (immutable) cm.immutable = true;
  return cm;
}

kube::Volume cm_volume(bool optional = false) {
  kube::Volume v;
  v.name = "cfg";
  v.config_map = kube::ConfigMapVolumeSource{"settings", {}, 0644, optional};
  return v;
}

size_t count_of(const std::vector<std::string>& calls, const std::string& prefix) {
  size_t n = 0;
  for (const auto& c : calls) n += c.rfind(prefix, 0) == 0;
  return n;
}

}  // namespace

TEST_CASE("configMap volume: files follow the object; an unchanged sync writes nothing") {
  TempDir root("na-cfgplug");
  fakes::FakeObjectSource objects;
  objects.add(config_map("fast"));
  ConfigMapPlugin plugin(&objects);
  const auto dir = root.file("cfg");
  REQUIRE(plugin.set_up(pod(), cm_volume(), dir, {}).ok());
  CHECK(slurp(dir + "/mode") == "fast");
  auto version = fs::read_symlink(dir + "/..data");
  REQUIRE(plugin.set_up(pod(), cm_volume(), dir, {}).ok());
  CHECK(fs::read_symlink(dir + "/..data") == version);

  fakes::FakeObjectSource updated;
  updated.add(config_map("slow"));
  ConfigMapPlugin again(&updated);  // a restarted agent: the disk is compared, the new value written
  REQUIRE(again.set_up(pod(), cm_volume(), dir, {}).ok());
  CHECK(slurp(dir + "/mode") == "slow");
  CHECK(fs::read_symlink(dir + "/..data") != version);
}

TEST_CASE("configMap volume: missing object is an error naming volume and object, unless optional") {
  TempDir root("na-cfgplug");
  fakes::FakeObjectSource objects;
  ConfigMapPlugin plugin(&objects);
  auto st = plugin.set_up(pod(), cm_volume(), root.file("cfg"), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "volume \"cfg\": configmap \"settings\" not found");
  REQUIRE(plugin.set_up(pod(), cm_volume(true), root.file("opt"), {}).ok());
  CHECK(fs::exists(fs::symlink_status(root.file("opt/..data"))));
}

TEST_CASE("configMap volume: an immutable object is not read again") {
  TempDir root("na-cfgplug");
  fakes::FakeObjectSource objects;
  objects.add(config_map("fast", true));
  ConfigMapPlugin plugin(&objects);
  REQUIRE(plugin.set_up(pod(), cm_volume(), root.file("cfg"), {}).ok());
  REQUIRE(plugin.set_up(pod(), cm_volume(), root.file("cfg"), {}).ok());
  CHECK(count_of(objects.calls(), "get_config_map") == 1);
  REQUIRE(plugin.tear_down(root.file("cfg")).ok());
  REQUIRE(plugin.set_up(pod(), cm_volume(), root.file("cfg"), {}).ok());
  CHECK(count_of(objects.calls(), "get_config_map") == 2);
}

TEST_CASE("secret volume: one tmpfs mounted at first set-up, unmounted at teardown") {
  TempDir root("na-cfgplug");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  fakes::FakeObjectSource objects;
  kube::Secret s;
  s.metadata.namespace_ = "default";
  s.metadata.name = "creds";
  s.data = {{"password", "hunter2"}};
  kube::Volume v;
  v.name = "creds";
  v.secret = kube::SecretVolumeSource{"creds", {}, 0400, std::nullopt};
  SecretPlugin plugin(mounter, &objects);
  const auto dir = root.file("creds");

  auto missing = plugin.set_up(pod(), v, dir, {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "volume \"creds\": secret \"creds\" not found");
  CHECK(mounter->calls().empty());  // nothing mounted for a missing Secret

  objects.add(s);
  REQUIRE(plugin.set_up(pod(), v, dir, {}).ok());
  REQUIRE(plugin.set_up(pod(), v, dir, {}).ok());
  CHECK(mounter->calls() == std::vector<std::string>{"mount_tmpfs " + dir + " mode=1777"});
  CHECK(slurp(dir + "/password") == "hunter2");
  CHECK((fs::status(dir + "/password").permissions() & fs::perms::all) == fs::perms::owner_read);
  REQUIRE(plugin.tear_down(dir).ok());
  CHECK(mounter->calls().back() == "unmount " + dir);
}

TEST_CASE("downwardAPI volume: labels follow the pod") {
  TempDir root("na-cfgplug");
  DownwardApiPlugin plugin;
  kube::Volume v;
  v.name = "podinfo";
  kube::DownwardAPIVolumeFile f;
  f.path = "labels";
  f.field_ref = kube::ObjectFieldSelector{"v1", "metadata.labels"};
  v.downward_api = kube::DownwardAPIVolumeSource{{f}, 0644};
  auto p = pod();
  REQUIRE(plugin.set_up(p, v, root.file("podinfo"), {}).ok());
  CHECK(slurp(root.file("podinfo/labels")) == "app=\"web\"");
  p.metadata.labels["tier"] = "front";
  REQUIRE(plugin.set_up(p, v, root.file("podinfo"), {}).ok());
  CHECK(slurp(root.file("podinfo/labels")) == "app=\"web\"\ntier=\"front\"");
}

TEST_CASE("projected volume: a serviceAccountToken standalone is refused with the field named") {
  TempDir root("na-cfgplug");
  auto mounter = std::make_shared<fakes::FakeMounter>();
  ProjectedPlugin plugin(mounter, nullptr, nullptr);
  kube::Volume v;
  v.name = "kube-api-access-x";
  kube::VolumeProjection token;
  token.service_account_token = kube::ServiceAccountTokenProjection{"", 3607, "token"};
  v.projected = kube::ProjectedVolumeSource{{token}, 0644};
  auto st = plugin.set_up(pod(), v, root.file("sa"), {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "volume \"kube-api-access-x\": projected source serviceAccountToken needs a connection to the API server");
  CHECK(mounter->calls().empty());
}
