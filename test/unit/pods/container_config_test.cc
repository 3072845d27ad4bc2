#include <catch2/catch.hpp>

#include <csignal>

#include "agent/pods/container_config.h"
#include "agent/pods/container_ids.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {
ContainerContext context() {
  ContainerContext ctx;
  ctx.node_name = "node-a";
  ctx.container_id = "abc";
  ctx.pod_ip = "10.244.1.5";
  ctx.pod_ips = {"10.244.1.5"};
  ctx.host_ip = "192.168.50.1";
  ctx.image.config.entrypoint = {"/entry"};
  ctx.image.config.cmd = {"serve", "--port=80"};
  ctx.image.config.env = {"PATH=/usr/bin:/bin", "MODE=image"};
  ctx.log_path = "/var/log/pods/x/c/0.log";
  return ctx;
}
}  // namespace

TEST_CASE("command and args against the image's ENTRYPOINT and CMD") {
  runtime::ImageConfig img;
  img.entrypoint = {"/entry"};
  img.cmd = {"default-arg"};
  auto c = testing::container("c");
  CHECK(resolve_argv(c, img) == std::vector<std::string>{"/entry", "default-arg"});
  c.args = {"x"};
  CHECK(resolve_argv(c, img) == std::vector<std::string>{"/entry", "x"});
  c.command = {"/bin/sh", "-c"};
  CHECK(resolve_argv(c, img) == std::vector<std::string>{"/bin/sh", "-c", "x"});
  c.args.clear();
  CHECK(resolve_argv(c, img) == std::vector<std::string>{"/bin/sh", "-c"});
}

TEST_CASE("env: image first, container overrides, $(VAR) from earlier vars, downward API") {
  auto p = testing::pod("web", {"c"});
  p.metadata.labels["app"] = "web";
  auto& c = p.spec.containers[0];
  c.env.push_back({"MODE", "pod", std::nullopt});
  c.env.push_back({"GREETING", "hi $(NAME)", std::nullopt});  // NAME defined later: stays as written
  c.env.push_back({"NAME", "world", std::nullopt});
  c.env.push_back({"MSG", "$(GREETING) $(NAME) $$(NAME)", std::nullopt});
  c.env.push_back({"data-1", "dash ok", std::nullopt});
  kube::EnvVar pod_ip{"POD_IP", "", kube::EnvVarSource{}};
  pod_ip.value_from->field_ref = kube::ObjectFieldSelector{"v1", "status.podIP"};
  c.env.push_back(pod_ip);
  kube::EnvVar app{"APP", "", kube::EnvVarSource{}};
  app.value_from->field_ref = kube::ObjectFieldSelector{"v1", "metadata.labels['app']"};
  c.env.push_back(app);

  auto env = build_env(p, c, context());
  REQUIRE(env.ok());
  CHECK(*env == std::vector<std::string>{"PATH=/usr/bin:/bin", "MODE=pod", "GREETING=hi $(NAME)", "NAME=world",
                                         "MSG=hi $(NAME) world $(NAME)", "data-1=dash ok", "POD_IP=10.244.1.5",
                                         "APP=web"});
}

TEST_CASE("a missing configMap env reference is a config error naming it") {
  auto p = testing::pod("web", {"c"});
  auto& c = p.spec.containers[0];
  kube::EnvVar ref{"X", "", kube::EnvVarSource{}};
  ref.value_from->config_map_key_ref = kube::ConfigMapKeySelector{"settings", "x", std::nullopt};
  c.env.push_back(ref);
  auto env = build_env(p, c, context());
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message == "configmap \"settings\" not found");
  c.env[0].value_from->config_map_key_ref->optional = true;
  CHECK(build_env(p, c, context()).ok());
}

TEST_CASE("container config carries security, resources, labels and namespaces") {
  auto p = testing::pod("web", {"c"});
  auto& c = p.spec.containers[0];
  c.command = {"/bin/sh", "-c", "echo $(GREETING)"};
  c.env.push_back({"GREETING", "hello", std::nullopt});
  c.resources.limits["cpu"] = *kube::parse_quantity("500m");
  c.resources.limits["memory"] = *kube::parse_quantity("64Mi");
  c.resources.requests = c.resources.limits;
  kube::SecurityContext sc;
  sc.run_as_user = 1000;
  sc.allow_privilege_escalation = false;
  sc.read_only_root_filesystem = true;
  sc.capabilities = kube::Capabilities{{"NET_ADMIN"}, {"CAP_MKNOD"}};
  c.security_context = sc;
  auto ctx = context();
  ctx.sandbox.netns_path = "/var/lib/nodeagent/pods/uid-web/ns/net";
  ctx.cgroups_path = "/kubepods/poduid-web/abc";  // what the cgroup manager names it
  ctx.attempt = 2;

  auto cfg = build_container_config(p, c, ctx);
  REQUIRE(cfg.ok());
  CHECK(cfg->args == std::vector<std::string>{"/bin/sh", "-c", "echo hello"});
  CHECK(cfg->security.run_as_user == 1000);
  CHECK(cfg->security.no_new_privileges);
  CHECK(cfg->security.read_only_rootfs);
  CHECK(cfg->security.capabilities_add == std::vector<std::string>{"NET_ADMIN"});
  CHECK(cfg->security.capabilities_drop == std::vector<std::string>{"MKNOD"});
  CHECK(cfg->resources.cpu_shares == 512);
  CHECK(cfg->resources.cpu_quota == 50000);
  CHECK(cfg->resources.memory_limit_bytes == 64 * 1024 * 1024);
  CHECK(cfg->resources.oom_score_adj == -997);  // Guaranteed
  CHECK(cfg->resources.cgroups_path == "/kubepods/poduid-web/abc");
  CHECK(cfg->namespaces.network == "/var/lib/nodeagent/pods/uid-web/ns/net");
  CHECK(cfg->labels.at("io.nodeagent.pod.uid") == "uid-web");
  CHECK(cfg->labels.at("io.nodeagent.container.attempt") == "2");
}

TEST_CASE("runAsNonRoot refuses root") {
  auto p = testing::pod("web", {"c"});
  kube::SecurityContext sc;
  sc.run_as_non_root = true;
  p.spec.containers[0].security_context = sc;
  auto cfg = build_container_config(p, p.spec.containers[0], context());
  REQUIRE_FALSE(cfg.ok());
  CHECK_THAT(cfg.error().message, Catch::Contains("runAsNonRoot and image will run as root"));
}

TEST_CASE("container ids are stable per attempt; stop signals by name") {
  CHECK(container_id_for("u", "c", 0) == container_id_for("u", "c", 0));
  CHECK(container_id_for("u", "c", 0) != container_id_for("u", "c", 1));
  CHECK(container_id_for("u", "c", 0).size() == 32);
  CHECK(signal_number("SIGQUIT") == SIGQUIT);
  CHECK(signal_number("QUIT") == SIGQUIT);
  CHECK(signal_number("9") == 9);
  CHECK(signal_number("") == SIGTERM);
}
