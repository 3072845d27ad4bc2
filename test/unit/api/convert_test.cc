// Tests of the pure conversions behind ListPods, ListContainers and InspectContainer.
#include <catch2/catch.hpp>

#include "agent/api/convert.h"

using namespace nodeagent::api;
using nlohmann::json;

namespace {
json pod(const std::string& ns, const std::string& name, json labels) {
  json p = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}, {"labels", labels}}}};
  if (!ns.empty()) p["metadata"]["namespace"] = ns;
  return p;
}
}  // namespace

TEST_CASE("pod_list filters by namespace and selector into a v1 PodList") {
  std::vector<json> pods = {pod("default", "web", {{"app", "web"}}), pod("", "implicit", {{"app", "db"}}),
                            pod("kube-system", "dns", {{"app", "dns"}})};
  json all = pod_list(pods, "", *nodeagent::kube::parse_label_selector(""));
  CHECK(all["apiVersion"] == "v1");
  CHECK(all["kind"] == "PodList");
  CHECK(all["items"].size() == 3);

  json def = pod_list(pods, "default", *nodeagent::kube::parse_label_selector(""));
  REQUIRE(def["items"].size() == 2);  // a pod without namespace is in "default"
  CHECK(def["items"][1]["metadata"]["name"] == "implicit");

  json sel = pod_list(pods, "", *nodeagent::kube::parse_label_selector("app in (web,dns)"));
  REQUIRE(sel["items"].size() == 2);
  CHECK(sel["items"][0]["metadata"]["name"] == "web");
  CHECK(sel["items"][1]["metadata"]["name"] == "dns");

  json none = pod_list(pods, "nope", *nodeagent::kube::parse_label_selector(""));
  CHECK(none["items"].is_array());
  CHECK(none["items"].empty());
}

TEST_CASE("labels_of tolerates odd objects") {
  CHECK(labels_of(json::object()).empty());
  CHECK(labels_of(json{{"metadata", {{"labels", "x"}}}}).empty());
  CHECK(labels_of(json{{"metadata", {{"labels", {{"a", "1"}, {"n", 2}}}}}}) == std::map<std::string, std::string>{{"a", "1"}});
}

TEST_CASE("container views become wire messages and inspect documents") {
  ContainerView v;
  v.state.id = "abc123";
  v.state.state = nodeagent::runtime::ContainerStateKind::kExited;
  v.state.exit_code = 3;
  v.state.image_ref = "docker.io/library/busybox:latest";
  v.state.created_at = std::chrono::system_clock::from_time_t(1714557600);
  v.pod_name = "web";
  v.pod_namespace = "default";
  v.pod_uid = "uid-1";
  v.container_name = "app";
  v.attempt = 2;

  auto c = to_proto(v);
  CHECK(c.id() == "abc123");
  CHECK(c.state() == "exited");
  CHECK(c.exit_code() == 3);
  CHECK(c.attempt() == 2);
  CHECK(c.created_at_unix_nanos() == 1714557600LL * 1000000000LL);
  CHECK(c.pod_namespace() == "default");

  json j = inspect_json(v, std::nullopt);
  CHECK(j["state"] == "exited");
  CHECK(j["createdAt"] == "2024-05-01T10:00:00Z");
  CHECK(j["pod"]["uid"] == "uid-1");
  CHECK_FALSE(j.contains("startedAt"));

  nodeagent::runtime::ContainerState fresh = v.state;
  fresh.state = nodeagent::runtime::ContainerStateKind::kRunning;
  fresh.pid = 77;
  json live = inspect_json(v, fresh);
  CHECK(live["state"] == "running");
  CHECK(live["pid"] == 77);
}
