// kubelet's MakePayload / CollectData for configMap, secret, downwardAPI and projected volumes:
// all keys or items, modes, optional, kubelet's error words, binaryData, Go-quoted labels, the
// projected merge and the standalone serviceAccountToken refusal.
#include <catch2/catch.hpp>

#include "test/fakes/fake_object_source.h"
#include "volumes/payload/downward_payload.h"
#include "volumes/payload/object_payload.h"
#include "volumes/projected/projected_payload.h"

using namespace nodeagent;
using namespace nodeagent::volumes;

namespace {

kube::ConfigMap config_map(const std::string& name) {
  kube::ConfigMap cm;
  cm.metadata.namespace_ = "default";
  cm.metadata.name = name;
  cm.data = {{"game.properties", "lives=3"}, {"ui", "dark"}};
  cm.binary_data = {{"logo.bin", std::string("\x00\x01\xff", 3)}};
  return cm;
}

kube::Pod pod() {
  kube::Pod p;
  p.metadata.namespace_ = "default";
  p.metadata.name = "web";
  p.metadata.uid = "uid-1";
  p.metadata.labels = {{"app", "web"}, {"tier", "front \"end\""}};
  p.metadata.annotations = {{"note", "line1\nline2"}};
  p.spec.service_account_name = "builder";
  kube::Container c;
  c.name = "app";
  c.resources.limits["memory"] = kube::parse_quantity("64Mi").value();
  c.resources.requests["cpu"] = kube::parse_quantity("250m").value();
  p.spec.containers.push_back(c);
  return p;
}

kube::DownwardAPIVolumeFile field(const std::string& path, const std::string& field_path) {
  kube::DownwardAPIVolumeFile f;
  f.path = path;
  f.field_ref = kube::ObjectFieldSelector{"v1", field_path};
  return f;
}

}  // namespace

TEST_CASE("configMap payload: every key (data and binaryData) with the default mode") {
  auto p = config_map_payload({}, config_map("game"), 0644, false);
  REQUIRE(p.ok());
  REQUIRE(p->size() == 3);
  CHECK(p->at("game.properties") == FileProjection{"lives=3", 0644});
  CHECK(p->at("logo.bin").data == std::string("\x00\x01\xff", 3));
}

TEST_CASE("configMap payload: items choose keys, paths and modes; a missing key is kubelet's error") {
  std::vector<kube::KeyToPath> items{{"ui", "conf/ui.txt", 0400}, {"logo.bin", "logo", std::nullopt}};
  auto p = config_map_payload(items, config_map("game"), 0640, false);
  REQUIRE(p.ok());
  REQUIRE(p->size() == 2);
  CHECK(p->at("conf/ui.txt") == FileProjection{"dark", 0400});
  CHECK(p->at("logo").mode == 0640);

  items.push_back({"nope", "nope", std::nullopt});
  auto missing = config_map_payload(items, config_map("game"), 0644, false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "configmap references non-existent config key: nope");
  auto optional = config_map_payload(items, config_map("game"), 0644, true);
  REQUIRE(optional.ok());
  CHECK(optional->size() == 2);
}

TEST_CASE("secret payload: keys as bytes; a missing key is kubelet's error") {
  kube::Secret s;
  s.data = {{"password", "hunter2"}, {"user", "admin"}};
  auto all = secret_payload({}, s, 0400, false);
  REQUIRE(all.ok());
  CHECK(all->at("password") == FileProjection{"hunter2", 0400});
  auto missing = secret_payload({{"token", "token", std::nullopt}}, s, 0644, false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "references non-existent secret key: token");
}

TEST_CASE("a missing object is NotFound unless optional, then an empty one") {
  fakes::FakeObjectSource objects;
  auto cm = fetch_config_map(&objects, "default", "absent", false);
  REQUIRE_FALSE(cm.ok());
  CHECK(cm.error().message == "configmap \"absent\" not found");
  auto opt = fetch_config_map(&objects, "default", "absent", true);
  REQUIRE(opt.ok());
  CHECK(opt->data.empty());
  CHECK(fetch_secret(&objects, "default", "absent", false).error().message == "secret \"absent\" not found");
  CHECK(fetch_secret(&objects, "default", "absent", true).ok());
  // Other failures stay failures even when optional.
  objects.faults.fail("get_secret", unavailable("api server down"));
  CHECK_FALSE(fetch_secret(&objects, "default", "absent", true).ok());
}

TEST_CASE("downwardAPI payload: fields, labels in upstream's format, resources with divisor") {
  kube::DownwardApiContext ctx;
  ctx.node_name = "node-1";
  ctx.pod_ip = "10.0.0.5";
  ctx.host_ip = "192.168.1.2";
  std::vector<kube::DownwardAPIVolumeFile> items{
      field("name", "metadata.name"), field("ns", "metadata.namespace"), field("uid", "metadata.uid"),
      field("labels", "metadata.labels"), field("annotations", "metadata.annotations"),
      field("app", "metadata.labels['app']"), field("note", "metadata.annotations['note']"),
      field("node", "spec.nodeName"), field("sa", "spec.serviceAccountName"), field("ip", "status.podIP"),
      field("host", "status.hostIP")};
  kube::DownwardAPIVolumeFile mem;
  mem.path = "mem";
  mem.resource_field_ref = kube::ResourceFieldSelector{"app", "limits.memory", kube::parse_quantity("1Mi").value()};
  mem.mode = 0400;
  items.push_back(mem);
  kube::DownwardAPIVolumeFile cpu;
  cpu.path = "cpu";
  cpu.resource_field_ref = kube::ResourceFieldSelector{"app", "requests.cpu", kube::parse_quantity("1m").value()};
  items.push_back(cpu);

  auto p = downward_api_payload(items, pod(), 0644, ctx);
  REQUIRE(p.ok());
  CHECK(p->at("name").data == "web");
  CHECK(p->at("ns").data == "default");
  CHECK(p->at("uid").data == "uid-1");
  CHECK(p->at("labels").data == "app=\"web\"\ntier=\"front \\\"end\\\"\"");
  CHECK(p->at("annotations").data == "note=\"line1\\nline2\"");
  CHECK(p->at("app").data == "web");
  CHECK(p->at("note").data == "line1\nline2");
  CHECK(p->at("node").data == "node-1");
  CHECK(p->at("sa").data == "builder");
  CHECK(p->at("ip").data == "10.0.0.5");
  CHECK(p->at("host").data == "192.168.1.2");
  CHECK(p->at("mem") == FileProjection{"64", 0400});
  CHECK(p->at("cpu").data == "250");

  kube::DownwardAPIVolumeFile nameless;
  nameless.path = "x";
  nameless.resource_field_ref = kube::ResourceFieldSelector{"", "limits.cpu", {}};
  auto err = downward_api_payload({nameless}, pod(), 0644, ctx);
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().message == "items \"x\": resourceFieldRef.containerName: Required value");
  auto bad = downward_api_payload({field("x", "spec.nope")}, pod(), 0644, ctx);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("spec.nope") != std::string::npos);
}

TEST_CASE("projected payload: configMap, secret and downwardAPI in one, defaultMode for all") {
  fakes::FakeObjectSource objects;
  objects.add(config_map("game"));
  kube::Secret s;
  s.metadata.namespace_ = "default";
  s.metadata.name = "creds";
  s.data = {{"password", "hunter2"}};
  objects.add(s);

  kube::ProjectedVolumeSource src;
  src.default_mode = 0440;
  kube::VolumeProjection cm;
  cm.config_map = kube::VolumeProjection::ConfigMapProjection{"game", {{"ui", "ui", std::nullopt}}, std::nullopt};
  kube::VolumeProjection sec;
  sec.secret = kube::VolumeProjection::SecretProjection{"creds", {}, std::nullopt};
  kube::VolumeProjection dapi;
  dapi.downward_api = kube::VolumeProjection::DownwardAPIProjection{{field("podname", "metadata.name")}};
  kube::VolumeProjection missing;
  missing.config_map = kube::VolumeProjection::ConfigMapProjection{"absent", {}, true};
  src.sources = {cm, sec, dapi, missing};

  auto p = projected_payload(pod(), src, &objects, nullptr, {});
  REQUIRE(p.ok());
  REQUIRE(p->size() == 3);
  CHECK(p->at("ui") == FileProjection{"dark", 0440});
  CHECK(p->at("password") == FileProjection{"hunter2", 0440});
  CHECK(p->at("podname") == FileProjection{"web", 0440});

  missing.config_map->optional = false;
  src.sources = {missing};
  CHECK(projected_payload(pod(), src, &objects, nullptr, {}).error().message == "configmap \"absent\" not found");
}

TEST_CASE("projected serviceAccountToken: refused standalone, from the TokenSource when joined") {
  kube::ProjectedVolumeSource src;
  kube::VolumeProjection token;
  token.service_account_token = kube::ServiceAccountTokenProjection{"", 3607, "token"};
  src.sources = {token};
  auto p = projected_payload(pod(), src, nullptr, nullptr, {});
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message == "projected source serviceAccountToken needs a connection to the API server");

  struct StaticTokens : TokenSource {
    Result<std::string> token(const kube::Pod& pod, const kube::ServiceAccountTokenProjection&) override {
      return "token-of-" + pod.spec.service_account_name;
    }
  } tokens;
  auto joined = projected_payload(pod(), src, nullptr, &tokens, {});
  REQUIRE(joined.ok());
  CHECK(joined->at("token") == FileProjection{"token-of-builder", 0644});
}
