// Decoding manifests into typed objects: field coverage, errors with field paths, unknown-field
// warnings, kind/apiVersion checks, lists.
#include <catch2/catch.hpp>

#include "kube/decode.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;

namespace {

std::string decode_error(const std::string& text) {
  auto r = decode_manifests(text);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

const char* kPodHeader = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n";

}  // namespace

TEST_CASE("the full example pod decodes every field", "[decode]") {
  Pod pod = load_pod("web-pod.yaml");
  CHECK(pod.metadata.name == "web");
  CHECK(pod.metadata.namespace_ == "default");
  CHECK(pod.metadata.labels.at("tier") == "frontend");
  CHECK(pod.metadata.annotations.at("example.com/owner") == "team-a");

  const PodSpec& s = pod.spec;
  CHECK(s.restart_policy == "OnFailure");
  CHECK(s.termination_grace_period_seconds == 5);
  CHECK(s.active_deadline_seconds == 3600);
  CHECK(s.hostname == "web-0");
  CHECK(s.subdomain == "web-svc");
  CHECK(s.share_process_namespace == true);
  REQUIRE(s.host_aliases.size() == 1);
  CHECK(s.host_aliases[0].hostnames == std::vector<std::string>{"db.local", "cache.local"});
  REQUIRE(s.security_context);
  CHECK(s.security_context->run_as_user == 1000);
  CHECK(s.security_context->fs_group == 2000);
  CHECK(s.security_context->supplemental_groups == std::vector<int64_t>{4000});
  REQUIRE(s.security_context->sysctls.size() == 1);
  CHECK(s.security_context->sysctls[0].value == "32768 60999");
  REQUIRE(s.dns_config);
  CHECK(s.dns_config->options[0].value == "2");
  REQUIRE(s.tolerations.size() == 1);
  CHECK(s.tolerations[0].toleration_seconds == 300);

  REQUIRE(s.init_containers.size() == 2);
  CHECK_FALSE(s.init_containers[0].is_sidecar());
  CHECK(s.init_containers[1].is_sidecar());
  REQUIRE(s.init_containers[1].startup_probe);
  CHECK(s.init_containers[1].startup_probe->handler.exec->command.size() == 3);

  REQUIRE(s.containers.size() == 2);
  const Container& app = s.containers[0];
  CHECK(app.args[2] == "$$(NOT_EXPANDED)");
  CHECK(app.working_dir == "/srv");
  REQUIRE(app.ports.size() == 2);
  CHECK(app.ports[0].name == "http");
  CHECK(app.ports[0].container_port == 8080);
  REQUIRE(app.env.size() == 5);
  CHECK(app.env[0].value == "8080");
  CHECK(app.env[1].value_from->field_ref->field_path == "metadata.name");
  CHECK(app.env[2].value_from->resource_field_ref->divisor.milli == 1);
  CHECK(app.env[3].value_from->secret_key_ref->key == "password");
  CHECK(app.env[4].value_from->config_map_key_ref->optional == true);
  REQUIRE(app.env_from.size() == 1);
  CHECK(app.env_from[0].prefix == "CFG_");
  CHECK(app.env_from[0].config_map_ref->name == "settings");
  CHECK(app.resources.limits.at("cpu").milli == 500);
  CHECK(app.resources.limits.at("memory").value() == 128 * 1024 * 1024);
  CHECK(app.resources.requests.at("cpu").milli == 250);
  REQUIRE(app.volume_mounts.size() == 7);
  CHECK(app.volume_mounts[1].read_only);
  CHECK(app.volume_mounts[5].sub_path == "app");
  CHECK(app.volume_mounts[5].mount_propagation == "HostToContainer");
  REQUIRE(app.liveness_probe);
  CHECK(app.liveness_probe->handler.http_get->port == IntOrString::from_string("http"));
  CHECK(app.liveness_probe->handler.http_get->http_headers[0].value == "liveness");
  CHECK(app.liveness_probe->initial_delay_seconds == 3);
  CHECK(app.readiness_probe->handler.tcp_socket->port == IntOrString::from_int(8080));
  CHECK(app.readiness_probe->period_seconds == 2);
  CHECK(app.lifecycle->post_start->exec->command[2] == "echo started");
  CHECK(app.lifecycle->pre_stop->http_get->path == "/shutdown");
  CHECK(app.security_context->allow_privilege_escalation == false);
  CHECK(app.security_context->capabilities->drop == std::vector<std::string>{"ALL"});
  CHECK(app.termination_message_policy == "FallbackToLogsOnError");

  const Container& grpc = s.containers[1];
  CHECK(grpc.readiness_probe->handler.grpc->port == 50051);
  CHECK(grpc.stdin);
  CHECK(grpc.tty);  // `tty: yes` is a YAML 1.1 boolean

  REQUIRE(s.volumes.size() == 8);
  CHECK(s.volumes[0].empty_dir->medium == "Memory");
  CHECK(s.volumes[0].empty_dir->size_limit->value() == 64 * 1024 * 1024);
  CHECK(s.volumes[1].config_map->default_mode == 0400);  // octal in YAML 1.1
  CHECK(s.volumes[1].config_map->items[0].key == "app.conf");
  CHECK(s.volumes[2].secret->secret_name == "db");
  CHECK(s.volumes[2].secret->optional == false);
  CHECK(s.volumes[3].downward_api->items[1].resource_field_ref->resource == "requests.cpu");
  REQUIRE(s.volumes[4].projected->sources.size() == 3);
  CHECK(s.volumes[4].projected->sources[2].service_account_token->path == "token");
  CHECK(s.volumes[5].host_path->type == "Directory");
  CHECK(s.volumes[6].persistent_volume_claim->claim_name == "data-claim");
  CHECK(s.volumes[7].empty_dir);  // a volume with no source defaults to emptyDir
}

TEST_CASE("the example manifests decode without warnings", "[decode]") {
  for (const char* name : {"web-pod.yaml", "minimal-pod.yaml", "service.yaml", "endpointslice.yaml", "list.json",
                           "api-pod.json"}) {
    INFO(name);
    auto r = decode_manifests(read_fixture(name));
    if (!r.ok()) FAIL(r.error().message);
    for (const auto& d : *r) CHECK(d.warnings.empty());
  }
}

TEST_CASE("type errors name the object and the field path", "[decode]") {
  struct Case {
    std::string body;
    std::string error;
  };
  const Case cases[] = {
      {"spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: busybox\n    ports:\n    - containerPort: \"80\"\n",
       "pod default/web: spec.containers[1].ports[0].containerPort: expected integer, got string"},
      {"spec:\n  containers:\n  - name: a\n    image: 5\n",
       "pod default/web: spec.containers[0].image: expected string, got number"},
      {"spec:\n  containers:\n  - name: a\n    image: x\n    tty: \"true\"\n",
       "pod default/web: spec.containers[0].tty: expected boolean, got string"},
      {"spec:\n  containers: {}\n", "pod default/web: spec.containers: expected array, got object"},
      {"spec:\n  containers:\n  - name: a\n    image: x\n    ports:\n    - containerPort: 1.5\n",
       "pod default/web: spec.containers[0].ports[0].containerPort: expected integer, got number 1.5"},
      {"spec:\n  containers:\n  - name: a\n    image: x\n    ports:\n    - containerPort: 3000000000\n",
       "pod default/web: spec.containers[0].ports[0].containerPort: value 3000000000 out of range for int32"},
      {"spec:\n  containers:\n  - name: a\n    image: x\n    resources:\n      limits:\n        cpu: lots\n",
       "pod default/web: spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match "
       "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
      {"spec:\n  containers:\n  - a\n", "pod default/web: spec.containers[0]: expected object, got string"},
  };
  for (const auto& c : cases) {
    std::string text = std::string(kPodHeader) + c.body;
    INFO(text);
    CHECK(decode_error(text) == c.error);
  }
  CHECK(decode_error(std::string(kPodHeader) + "  labels:\n    num: 5\nspec:\n  containers: []\n") ==
        "pod default/web: metadata.labels[num]: expected string, got number");
  // YAML 1.1 strikes: `y` is a boolean, also as an image name.
  CHECK(decode_error(std::string(kPodHeader) + "spec:\n  containers:\n  - name: a\n    image: y\n") ==
        "pod default/web: spec.containers[0].image: expected string, got boolean");
}

TEST_CASE("several errors are all reported", "[decode]") {
  std::string text = std::string(kPodHeader) +
                     "spec:\n  restartPolicy: 1\n  containers:\n  - name: [x]\n    image: busybox\n";
  CHECK(decode_error(text) ==
        "pod default/web: spec.containers[0].name: expected string, got array; spec.restartPolicy: expected "
        "string, got number");
}

TEST_CASE("unknown fields come back as warnings, the object still decodes", "[decode]") {
  std::string text = std::string(kPodHeader) +
                     "  lables: {a: b}\nspec:\n  containers:\n  - name: a\n    image: x\n    imagePullPolcy: Always\n"
                     "  volumes:\n  - name: v\n    nfs: {server: s, path: /}\n";
  auto r = decode_manifests(text);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].warnings ==
        std::vector<std::string>{"unknown field \"metadata.lables\"",
                                 "unknown field \"spec.containers[0].imagePullPolcy\""});
  const Pod& pod = std::get<Pod>((*r)[0].object);
  // nfs is a known (unsupported) volume type: kept, not warned about.
  REQUIRE(pod.spec.volumes[0].unsupported);
  CHECK(pod.spec.volumes[0].unsupported->type == "nfs");
  CHECK(nlohmann::json::parse(pod.spec.volumes[0].unsupported->raw)["server"] == "s");
}

TEST_CASE("kind and apiVersion are checked", "[decode]") {
  CHECK(decode_error("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n") ==
        "no kind \"Deployment\" is registered for version \"apps/v1\" (supported: v1 Pod, v1 Service, "
        "discovery.k8s.io/v1 EndpointSlice, v1 Event, v1 ConfigMap, v1 Secret, v1 PersistentVolume, "
        "v1 PersistentVolumeClaim, v1 List)");
  CHECK(decode_error("apiVersion: v2\nkind: Pod\nmetadata: {name: p}\n") ==
        "no kind \"Pod\" is registered for version \"v2\" (supported: v1 Pod, v1 Service, discovery.k8s.io/v1 "
        "EndpointSlice, v1 Event, v1 ConfigMap, v1 Secret, v1 PersistentVolume, v1 PersistentVolumeClaim, v1 List)");
  CHECK(decode_error("metadata: {name: p}\n").rfind("Object 'Kind' is missing in ", 0) == 0);
  CHECK(decode_error("- a\n- b\n") == "expected a JSON object, got array");
  // A typed decoder checks its own kind.
  auto svc_as_pod = decode_pod(nlohmann::json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}})"));
  REQUIRE_FALSE(svc_as_pod.ok());
  CHECK(svc_as_pod.error().message == "pod default/s: kind: Invalid value: \"Service\": must be \"Pod\"");
}

TEST_CASE("v1 List and typed lists are flattened", "[decode]") {
  auto r = decode_manifests(read_fixture("list.json"));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK(kind_of((*r)[0].object) == "pod");
  CHECK(metadata_of((*r)[0].object).namespace_ == "ns1");
  CHECK(kind_of((*r)[1].object) == "service");

  auto typed = decode_manifests(R"({"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"i"}]}}]})");
  REQUIRE(typed.ok());
  REQUIRE(typed->size() == 1);
  CHECK(std::get<Pod>((*typed)[0].object).metadata.name == "p");
}

TEST_CASE("services, endpoint slices and events decode", "[decode]") {
  auto svcs = decode_manifests(read_fixture("service.yaml"));
  REQUIRE(svcs.ok());
  REQUIRE(svcs->size() == 3);
  const auto& web = std::get<Service>((*svcs)[0].object);
  CHECK(web.metadata.namespace_ == "shop");
  CHECK(web.spec.selector.at("app") == "web");
  CHECK(web.spec.cluster_ip == "10.96.0.20");
  CHECK(web.spec.ports[0].target_port == IntOrString::from_string("http"));
  const auto& np = std::get<Service>((*svcs)[1].object);
  CHECK(np.spec.ports[0].node_port == 30080);
  CHECK(np.spec.ports[0].protocol == "UDP");
  const auto& ext = std::get<Service>((*svcs)[2].object);
  CHECK(ext.spec.external_name == "db.example.com");

  auto slices = decode_manifests(read_fixture("endpointslice.yaml"));
  REQUIRE(slices.ok());
  const auto& slice = std::get<EndpointSlice>((*slices)[0].object);
  CHECK(slice.address_type == "IPv4");
  REQUIRE(slice.endpoints.size() == 2);
  CHECK(slice.endpoints[0].conditions.ready == true);
  CHECK(slice.endpoints[0].conditions.terminating == false);
  CHECK(slice.endpoints[0].node_name == "node-1");
  CHECK(slice.endpoints[0].target_ref->name == "web-1");
  CHECK(slice.endpoints[1].conditions.ready == false);
  CHECK_FALSE(slice.endpoints[1].conditions.serving.has_value());
  CHECK(slice.ports[0].port == 8080);

  auto ev = decode_manifests(R"(
apiVersion: v1
kind: Event
metadata: {name: web.17a, namespace: default}
involvedObject: {kind: Pod, name: web, namespace: default, uid: u1, fieldPath: "spec.containers{app}"}
reason: BackOff
message: Back-off restarting failed container
source: {component: kubelet, host: node-1}
firstTimestamp: "2026-11-25T07:00:00Z"
lastTimestamp: "2026-11-25T07:05:00+01:00"
count: 4
type: Warning
eventTime: "2026-11-25T07:00:00.250000Z"
reportingComponent: kubelet
reportingInstance: node-1
)");
  REQUIRE(ev.ok());
  const auto& e = std::get<Event>((*ev)[0].object);
  CHECK(e.involved_object.field_path == "spec.containers{app}");
  CHECK(e.count == 4);
  CHECK(e.source.host == "node-1");
  REQUIRE(e.first_timestamp);
  REQUIRE(e.last_timestamp);
  CHECK(*e.last_timestamp - *e.first_timestamp == std::chrono::minutes(-55));  // +01:00 offset honoured
  CHECK((*e.event_time - *e.first_timestamp) == std::chrono::milliseconds(250));
}

TEST_CASE("bad times are field errors", "[decode]") {
  std::string text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  creationTimestamp: yesterday\n"
                     "spec:\n  containers: []\n";
  CHECK(decode_error(text) ==
        "pod default/web: metadata.creationTimestamp: Invalid value: \"yesterday\": must be an RFC 3339 time");
}

TEST_CASE("null means absent", "[decode]") {
  std::string text = std::string(kPodHeader) +
                     "  labels: null\nspec:\n  nodeName: ~\n  containers:\n  - name: a\n    image: x\n    command: null\n";
  Pod pod = decode_pod_text(text);
  CHECK(pod.metadata.labels.empty());
  CHECK(pod.spec.node_name.empty());
  CHECK(pod.spec.containers[0].command.empty());
}
