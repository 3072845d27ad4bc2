// Service environment variables: kubelet's envvars.FromServices and getServiceEnvVarMap rules,
// and how they meet the container's own env in build_env.
#include <catch2/catch.hpp>

#include <algorithm>

#include "agent/pods/container_config.h"
#include "agent/pods/service_env.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {

kube::Service service(const std::string& ns, const std::string& name, const std::string& ip,
                      std::vector<kube::ServicePort> ports) {
  kube::Service s;
  s.metadata.namespace_ = ns;
  s.metadata.name = name;
  s.spec.cluster_ip = ip;
  s.spec.ports = std::move(ports);
  return s;
}

kube::ServicePort port(const std::string& name, int32_t number, const std::string& protocol = "TCP") {
  kube::ServicePort p;
  p.name = name;
  p.port = number;
  p.protocol = protocol;
  return p;
}

std::string value_of(const EnvPairs& env, const std::string& name) {
  for (const auto& [k, v] : env)
    if (k == name) return v;
  return "<unset>";
}

}  // namespace

TEST_CASE("a Service gives the _SERVICE_ and Docker link variables, as kubelet names them") {
  auto env = service_env_vars({service("default", "redis-primary", "10.0.0.11", {port("", 6379), port("metrics", 9121, "UDP")})},
                              "default", true);
  CHECK(env == EnvPairs{{"REDIS_PRIMARY_SERVICE_HOST", "10.0.0.11"},
                        {"REDIS_PRIMARY_SERVICE_PORT", "6379"},
                        {"REDIS_PRIMARY_SERVICE_PORT_METRICS", "9121"},
                        {"REDIS_PRIMARY_PORT", "tcp://10.0.0.11:6379"},
                        {"REDIS_PRIMARY_PORT_6379_TCP", "tcp://10.0.0.11:6379"},
                        {"REDIS_PRIMARY_PORT_6379_TCP_PROTO", "tcp"},
                        {"REDIS_PRIMARY_PORT_6379_TCP_PORT", "6379"},
                        {"REDIS_PRIMARY_PORT_6379_TCP_ADDR", "10.0.0.11"},
                        {"REDIS_PRIMARY_PORT_9121_UDP", "udp://10.0.0.11:9121"},
                        {"REDIS_PRIMARY_PORT_9121_UDP_PROTO", "udp"},
                        {"REDIS_PRIMARY_PORT_9121_UDP_PORT", "9121"},
                        {"REDIS_PRIMARY_PORT_9121_UDP_ADDR", "10.0.0.11"}});
}

TEST_CASE("only Services with a ClusterIP in the pod's namespace, plus default/kubernetes") {
  const std::vector<kube::Service> services = {
      service("default", "kubernetes", "10.96.0.1", {port("https", 443)}),
      service("default", "web", "10.96.0.20", {port("http", 80)}),
      service("team", "api", "10.96.0.30", {port("", 8080)}),
      service("team", "headless", "None", {port("", 80)}),
      service("team", "external", "", {}),
  };
  auto team = service_env_vars(services, "team", true);
  CHECK(value_of(team, "API_SERVICE_HOST") == "10.96.0.30");
  CHECK(value_of(team, "KUBERNETES_SERVICE_HOST") == "10.96.0.1");
  CHECK(value_of(team, "KUBERNETES_SERVICE_PORT_HTTPS") == "443");
  CHECK(value_of(team, "WEB_SERVICE_HOST") == "<unset>");
  CHECK(value_of(team, "HEADLESS_SERVICE_HOST") == "<unset>");
  CHECK(value_of(team, "EXTERNAL_SERVICE_HOST") == "<unset>");

  // enableServiceLinks: false keeps only the master Service.
  auto off = service_env_vars(services, "team", false);
  CHECK(value_of(off, "API_SERVICE_HOST") == "<unset>");
  CHECK(value_of(off, "KUBERNETES_SERVICE_HOST") == "10.96.0.1");
  auto off_default = service_env_vars(services, "default", false);
  CHECK(value_of(off_default, "WEB_SERVICE_HOST") == "<unset>");
  CHECK(value_of(off_default, "KUBERNETES_SERVICE_HOST") == "10.96.0.1");

  // A "kubernetes" Service of the pod's own namespace wins over the default one.
  auto shadowed = services;
  shadowed.push_back(service("team", "kubernetes", "10.96.0.99", {port("", 443)}));
  CHECK(value_of(service_env_vars(shadowed, "team", true), "KUBERNETES_SERVICE_HOST") == "10.96.0.99");
}

TEST_CASE("an IPv6 ClusterIP is bracketed in the link URLs") {
  auto env = service_env_vars({service("default", "v6", "fd00::10", {port("", 80)})}, "default", true);
  CHECK(value_of(env, "V6_PORT") == "tcp://[fd00::10]:80");
  CHECK(value_of(env, "V6_PORT_80_TCP_ADDR") == "fd00::10");
}

TEST_CASE("build_env: explicit env wins over Service variables, which $(VAR) can use") {
  auto p = testing::pod("web", {"c"});
  auto& c = p.spec.containers[0];
  c.env.push_back({"DB_SERVICE_HOST", "override", std::nullopt});
  c.env.push_back({"DB_URL", "http://$(DB_SERVICE_PORT_SQL)", std::nullopt});
  ContainerContext ctx;
  ctx.image.config.env = {"PATH=/bin", "CACHE_SERVICE_HOST=from-image"};
  ctx.service_env = service_env_vars({service("default", "db", "10.96.0.5", {port("sql", 5432)}),
                                      service("default", "cache", "10.96.0.6", {port("", 11211)})},
                                     "default", true);
  auto env = build_env(p, c, ctx);
  REQUIRE(env.ok());
  auto has = [&](const std::string& kv) { return std::find(env->begin(), env->end(), kv) != env->end(); };
  CHECK(has("DB_SERVICE_HOST=override"));
  CHECK_FALSE(has("DB_SERVICE_HOST=10.96.0.5"));
  CHECK(has("DB_URL=http://5432"));
  CHECK(has("DB_SERVICE_PORT=5432"));
  CHECK(has("CACHE_SERVICE_HOST=10.96.0.6"));  // over the image's
  CHECK_FALSE(has("CACHE_SERVICE_HOST=from-image"));
  CHECK(std::count_if(env->begin(), env->end(), [](const std::string& kv) { return kv.rfind("DB_SERVICE_HOST=", 0) == 0; }) == 1);
}
