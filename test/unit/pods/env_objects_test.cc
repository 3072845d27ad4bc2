// Env from ConfigMaps and Secrets (kubelet's makeEnvironmentVariables): valueFrom key refs,
// envFrom with prefixes, invalid names skipped with kubelet's warning, optional references, and
// kubelet's messages for what is missing.
#include <catch2/catch.hpp>

#include "agent/pods/container_config.h"
#include "pod_test_util.h"
#include "test/fakes/fake_object_source.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {

kube::ConfigMap config_map(const std::string& name, kube::StringMap data) {
  kube::ConfigMap cm;
  cm.metadata.name = name;
  cm.metadata.namespace_ = "default";
  cm.data = std::move(data);
  return cm;
}

kube::Secret secret(const std::string& name, kube::ByteMap data) {
  kube::Secret s;
  s.metadata.name = name;
  s.metadata.namespace_ = "default";
  s.data = std::move(data);
  return s;
}

kube::EnvVar config_map_ref(const std::string& var, const std::string& name, const std::string& key,
                            std::optional<bool> optional = std::nullopt) {
  kube::EnvVar e{var, "", kube::EnvVarSource{}};
  e.value_from->config_map_key_ref = kube::ConfigMapKeySelector{name, key, optional};
  return e;
}

kube::EnvVar secret_ref(const std::string& var, const std::string& name, const std::string& key,
                        std::optional<bool> optional = std::nullopt) {
  kube::EnvVar e{var, "", kube::EnvVarSource{}};
  e.value_from->secret_key_ref = kube::SecretKeySelector{name, key, optional};
  return e;
}

struct EnvHarness {
  fakes::FakeObjectSource objects;
  kube::Pod pod = testing::pod("web", {"c"});
  std::vector<std::string> events;

  kube::Container& container() { return pod.spec.containers[0]; }
  Result<std::vector<std::string>> env() {
    ContainerContext ctx;
    ctx.objects = &objects;
    events.clear();
    return build_env(pod, container(), ctx, &events);
  }
};

}  // namespace

TEST_CASE("configMapKeyRef and secretKeyRef give the object's values, and $(VAR) sees them") {
  EnvHarness h;
  h.objects.add(config_map("settings", {{"mode", "fast"}}));
  h.objects.add(secret("creds", {{"password", std::string("s3cr\0t", 6)}}));
  h.container().env = {config_map_ref("MODE", "settings", "mode"), secret_ref("PASSWORD", "creds", "password"),
                       kube::EnvVar{"BOTH", "$(MODE)-x", std::nullopt}};
  auto env = h.env();
  REQUIRE(env.ok());
  CHECK(*env == std::vector<std::string>{"MODE=fast", std::string("PASSWORD=s3cr\0t", 15), "BOTH=fast-x"});
  CHECK(h.objects.calls() == std::vector<std::string>{"get_config_map default/settings", "get_secret default/creds"});
}

TEST_CASE("missing objects and keys are errors in kubelet's words, unless optional") {
  EnvHarness h;
  SECTION("no such ConfigMap") {
    h.container().env = {config_map_ref("X", "settings", "x")};
    REQUIRE_FALSE(h.env().ok());
    CHECK(h.env().error().message == "configmap \"settings\" not found");
    h.container().env[0].value_from->config_map_key_ref->optional = true;
    CHECK(*h.env() == std::vector<std::string>{});
  }
  SECTION("no such key in the ConfigMap") {
    h.objects.add(config_map("settings", {{"other", "1"}}));
    h.container().env = {config_map_ref("X", "settings", "x")};
    CHECK(h.env().error().message == "couldn't find key x in ConfigMap default/settings");
    h.container().env[0].value_from->config_map_key_ref->optional = true;
    CHECK(h.env().ok());
  }
  SECTION("no such Secret, no such key") {
    h.container().env = {secret_ref("X", "creds", "x")};
    CHECK(h.env().error().message == "secret \"creds\" not found");
    h.objects.add(secret("creds", {{"user", "u"}}));
    CHECK(h.env().error().message == "couldn't find key x in Secret default/creds");
    h.container().env[0].value_from->secret_key_ref->optional = true;
    CHECK(h.env().ok());
  }
  SECTION("an error reading an object is not hidden by optional") {
    h.objects.faults.fail("get_config_map", unavailable("api server unreachable"));
    h.container().env = {config_map_ref("X", "settings", "x", true)};
    CHECK(h.env().error().message == "api server unreachable");
  }
}

TEST_CASE("envFrom: every key with its prefix, sorted, before env; invalid names skipped with kubelet's warning") {
  EnvHarness h;
  h.objects.add(config_map("settings", {{"b", "2"}, {"a", "1"}, {"bad key", "x"}, {"1st", "y"}}));
  h.objects.add(secret("creds", {{"TOKEN", "t"}}));
  kube::EnvFromSource from_cm;
  from_cm.prefix = "CFG_";
  from_cm.config_map_ref = kube::ConfigMapEnvSource{"settings", std::nullopt};
  kube::EnvFromSource from_secret;
  from_secret.secret_ref = kube::SecretEnvSource{"creds", std::nullopt};
  h.container().env_from = {from_cm, from_secret};
  h.container().env = {kube::EnvVar{"CFG_a", "override $(TOKEN)", std::nullopt}};

  auto env = h.env();
  REQUIRE(env.ok());
  // "1st" is valid with the prefix (CFG_1st); "bad key" is not.
  CHECK(*env == std::vector<std::string>{"CFG_1st=y", "CFG_a=override t", "CFG_b=2", "TOKEN=t"});
  CHECK(h.events == std::vector<std::string>{
                        "Keys [CFG_bad key] from the EnvFrom configMap default/settings were skipped since they are "
                        "considered invalid environment variable names."});

  SECTION("a missing source is an error unless optional") {
    h.container().env_from = {kube::EnvFromSource{"", kube::ConfigMapEnvSource{"nope", std::nullopt}, std::nullopt}};
    CHECK(h.env().error().message == "configmap \"nope\" not found");
    h.container().env_from[0].config_map_ref->optional = true;
    CHECK(h.env().ok());
    h.container().env_from = {kube::EnvFromSource{"", std::nullopt, kube::SecretEnvSource{"nope", std::nullopt}}};
    CHECK(h.env().error().message == "secret \"nope\" not found");
  }
}

TEST_CASE("without an object source every reference is missing") {
  auto pod = testing::pod("web", {"c"});
  pod.spec.containers[0].env = {config_map_ref("X", "settings", "x")};
  auto env = build_env(pod, pod.spec.containers[0], ContainerContext{});
  CHECK(env.error().message == "configmap \"settings\" not found");
}
