// Encoding: JSON exactly as the API server returns it, lists, YAML, and decode/encode round trips.
#include <catch2/catch.hpp>

#include "kube/encode.h"
#include "kube/yaml.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;
using nlohmann::json;

TEST_CASE("a pod as the API returns it encodes back to the same JSON", "[encode]") {
  const std::string text = read_fixture("api-pod.json");
  Pod pod = decode_pod_text(text);
  CHECK(encode(pod) == json::parse(text));
}

TEST_CASE("encoded pods follow Go's omitempty rules", "[encode]") {
  Pod pod = load_pod("minimal-pod.yaml");
  json j = encode(pod);
  CHECK(j["apiVersion"] == "v1");
  CHECK(j["kind"] == "Pod");
  CHECK(j["status"] == json::object());                    // struct: always there
  CHECK(j["metadata"]["creationTimestamp"].is_null());     // metav1.Time: null when unset
  CHECK(j["spec"]["containers"][0]["resources"] == json::object());
  CHECK(j["spec"]["securityContext"] == json::object());
  CHECK_FALSE(j["spec"].contains("hostNetwork"));           // false bools are omitted
  CHECK_FALSE(j["spec"]["containers"][0].contains("ports"));

  pod.status.phase = "Pending";
  pod.status.conditions.push_back(PodCondition{"PodScheduled", "True", std::nullopt, std::nullopt, "", ""});
  ContainerStatus cs;
  cs.name = "main";
  cs.state.waiting = ContainerStateWaiting{"ContainerCreating", ""};
  pod.status.container_statuses.push_back(cs);
  j = encode(pod);
  CHECK(j["status"]["conditions"][0]["lastProbeTime"].is_null());
  CHECK(j["status"]["conditions"][0]["lastTransitionTime"].is_null());
  CHECK(j["status"]["containerStatuses"][0] ==
        json::parse(R"({"name":"main","state":{"waiting":{"reason":"ContainerCreating"}},"lastState":{},
                        "ready":false,"restartCount":0,"image":"","imageID":""})"));
}

TEST_CASE("quantities, octal modes and int-or-string encode canonically", "[encode]") {
  Pod pod = load_pod("web-pod.yaml");
  json j = encode(pod);
  const json& app = j["spec"]["containers"][0];
  CHECK(app["resources"]["requests"]["cpu"] == "250m");  // written as 0.25
  CHECK(app["resources"]["limits"]["memory"] == "128Mi");
  CHECK(app["livenessProbe"]["httpGet"]["port"] == "http");
  CHECK(app["readinessProbe"]["tcpSocket"]["port"] == 8080);
  CHECK(app["env"][2]["valueFrom"]["resourceFieldRef"]["divisor"] == "1m");
  CHECK(j["spec"]["volumes"][1]["configMap"]["defaultMode"] == 256);
  CHECK(j["spec"]["volumes"][5]["hostPath"] == json::parse(R"({"path":"/var/log","type":"Directory"})"));
  CHECK(j["spec"]["volumes"][3]["downwardAPI"]["items"][1]["resourceFieldRef"]["divisor"] == "0");
}

TEST_CASE("decode(encode(x)) == x for every example", "[encode]") {
  for (const char* name : {"web-pod.yaml", "minimal-pod.yaml", "api-pod.json", "service.yaml", "endpointslice.yaml",
                           "list.json"}) {
    INFO(name);
    auto first = decode_manifests(read_fixture(name));
    REQUIRE(first.ok());
    for (const auto& d : *first) {
      json once = encode(d.object);
      auto again = decode_object(once);
      if (!again.ok()) FAIL(again.error().message);
      CHECK(again->warnings.empty());
      CHECK(encode(again->object) == once);
    }
  }
}

TEST_CASE("YAML output reads back to the same object", "[encode]") {
  for (const char* name : {"web-pod.yaml", "api-pod.json", "service.yaml"}) {
    INFO(name);
    auto first = decode_manifests(read_fixture(name));
    REQUIRE(first.ok());
    for (const auto& d : *first) {
      json once = encode(d.object);
      std::string yaml = to_yaml(once);
      auto docs = parse_documents(yaml);
      REQUIRE(docs.ok());
      REQUIRE(docs->size() == 1);
      CHECK((*docs)[0] == once);
    }
  }
}

TEST_CASE("lists for -o json", "[encode]") {
  Pod a = load_pod("minimal-pod.yaml");
  Pod b = load_pod("api-pod.json");
  json list = encode_pod_list({a, b}, "42");
  CHECK(list["apiVersion"] == "v1");
  CHECK(list["kind"] == "PodList");
  CHECK(list["metadata"]["resourceVersion"] == "42");
  REQUIRE(list["items"].size() == 2);
  CHECK(list["items"][1]["metadata"]["name"] == "web-node-1");
  // A list reads back through decode_manifests.
  auto back = decode_manifests(to_json_text(list));
  REQUIRE(back.ok());
  CHECK(back->size() == 2);
  CHECK(encode_pod_list({}, "")["items"] == json::array());
}

TEST_CASE("service, endpoint slice and event JSON shapes", "[encode]") {
  auto svcs = decode_manifests(read_fixture("service.yaml"));
  REQUIRE(svcs.ok());
  json svc = encode((*svcs)[0].object);
  CHECK(svc["status"] == json::parse(R"({"loadBalancer":{}})"));
  CHECK(svc["spec"]["ports"][1] == json::parse(R"({"name":"metrics","port":9090,"protocol":"TCP","targetPort":9090})"));

  EndpointSlice empty;
  empty.metadata.name = "e";
  empty.address_type = "IPv4";
  json slice = encode(empty);
  CHECK(slice["endpoints"].is_null());  // nil slice without omitempty
  CHECK(slice["ports"].is_null());

  Event ev;
  ev.metadata.name = "x";
  ev.reason = "Started";
  json e = encode(ev);
  CHECK(e["eventTime"].is_null());
  CHECK(e["firstTimestamp"].is_null());
  CHECK(e["reportingComponent"] == "");
  CHECK(e["source"] == json::object());
}

TEST_CASE("a PodStatus alone decodes with paths under status.", "[encode]") {
  PodStatus s;
  s.phase = "Running";
  ContainerStatus c;
  c.name = "debug";
  c.state.running = ContainerStateRunning{};
  s.ephemeral_container_statuses.push_back(c);
  json j = encode(s);
  // metav1.Time is a struct: never omitted, null when zero.
  CHECK(j["ephemeralContainerStatuses"][0]["state"]["running"]["startedAt"].is_null());
  auto back = decode_pod_status(j);
  REQUIRE(back.ok());
  CHECK(encode(back->object) == j);

  auto bad = decode_pod_status(json{{"containerStatuses", {{{"name", "a"}, {"restartCount", "three"}}}}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "status.containerStatuses[0].restartCount: expected integer, got string");
  CHECK_FALSE(decode_pod_status(json::array()).ok());
}
