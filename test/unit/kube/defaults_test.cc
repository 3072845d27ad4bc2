// The API server's defaults, applied on decode.
#include <catch2/catch.hpp>

#include "kube/defaults.h"
#include "kube/encode.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;

TEST_CASE("a minimal pod gets the API server's defaults", "[defaults]") {
  Pod pod = load_pod("minimal-pod.yaml");
  CHECK(pod.metadata.namespace_ == "default");
  CHECK(pod.spec.restart_policy == "Always");
  CHECK(pod.spec.dns_policy == "ClusterFirst");
  CHECK(pod.spec.termination_grace_period_seconds == 30);
  CHECK(pod.spec.scheduler_name == "default-scheduler");
  CHECK(pod.spec.enable_service_links == true);
  CHECK(pod.spec.security_context.has_value());
  const Container& c = pod.spec.containers[0];
  CHECK(c.image_pull_policy == "Always");  // no tag
  CHECK(c.termination_message_path == "/dev/termination-log");
  CHECK(c.termination_message_policy == "File");
}

TEST_CASE("imagePullPolicy follows the tag", "[defaults]") {
  CHECK(default_image_pull_policy("busybox") == "Always");
  CHECK(default_image_pull_policy("busybox:latest") == "Always");
  CHECK(default_image_pull_policy("registry.local:5000/busybox") == "Always");  // port is not a tag
  CHECK(default_image_pull_policy("registry.local:5000/busybox:1.36") == "IfNotPresent");
  CHECK(default_image_pull_policy("busybox:1.36") == "IfNotPresent");
  CHECK(default_image_pull_policy("busybox@sha256:abcd") == "IfNotPresent");
  CHECK(default_image_pull_policy("busybox:latest@sha256:abcd") == "Always");
  CHECK(default_image_pull_policy("busybox:1.36@sha256:abcd") == "IfNotPresent");
}

TEST_CASE("container-level defaults of the example pod", "[defaults]") {
  Pod pod = load_pod("web-pod.yaml");
  const Container& app = pod.spec.containers[0];
  CHECK(app.image_pull_policy == "Always");                 // :latest
  CHECK(pod.spec.containers[1].image_pull_policy == "IfNotPresent");  // digest
  CHECK(pod.spec.init_containers[0].image_pull_policy == "IfNotPresent");
  // requests default to limits only where a request is missing.
  CHECK(app.resources.requests.at("cpu").milli == 250);
  CHECK(to_string(app.resources.requests.at("memory")) == "128Mi");
  CHECK(app.ports[0].protocol == "TCP");
  CHECK(app.ports[0].host_port == 0);
  // Probe defaults, and HTTP defaults for probes and hooks alike.
  const Probe& live = *app.liveness_probe;
  CHECK(live.timeout_seconds == 1);
  CHECK(live.period_seconds == 10);
  CHECK(live.success_threshold == 1);
  CHECK(live.failure_threshold == 3);
  CHECK(live.handler.http_get->path == "/");
  CHECK(live.handler.http_get->scheme == "HTTP");
  CHECK(app.readiness_probe->period_seconds == 2);
  CHECK(app.lifecycle->pre_stop->http_get->scheme == "HTTP");
  CHECK(pod.spec.containers[1].readiness_probe->handler.grpc->service == "");
  CHECK(app.env[1].value_from->field_ref->api_version == "v1");
  // Volume defaults.
  CHECK(pod.spec.volumes[1].config_map->default_mode == 0400);  // explicit value kept
  CHECK(pod.spec.volumes[2].secret->default_mode == 0644);
  CHECK(pod.spec.volumes[3].downward_api->default_mode == 0644);
  CHECK(pod.spec.volumes[3].downward_api->items[0].field_ref->api_version == "v1");
  CHECK(pod.spec.volumes[4].projected->default_mode == 0644);
  CHECK(pod.spec.volumes[4].projected->sources[2].service_account_token->expiration_seconds == 3600);
}

TEST_CASE("host network pods get hostPort = containerPort", "[defaults]") {
  Pod pod = decode_pod_text(R"(
apiVersion: v1
kind: Pod
metadata: {name: hn}
spec:
  hostNetwork: true
  containers:
  - name: c
    image: busybox
    ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 9091}]
)");
  CHECK(pod.spec.containers[0].ports[0].host_port == 8080);
  CHECK(pod.spec.containers[0].ports[1].host_port == 9091);
}

TEST_CASE("service defaults", "[defaults]") {
  auto r = decode_manifests(read_fixture("service.yaml"));
  REQUIRE(r.ok());
  const auto& web = std::get<Service>((*r)[0].object);
  CHECK(web.spec.type == "ClusterIP");
  CHECK(web.spec.session_affinity == "None");
  CHECK_FALSE(web.spec.session_affinity_config.has_value());
  CHECK(web.spec.ports[0].protocol == "TCP");
  CHECK(web.spec.ports[0].target_port == IntOrString::from_string("http"));
  CHECK(web.spec.ports[1].target_port == IntOrString::from_int(9090));  // targetPort = port
  CHECK(web.spec.external_traffic_policy.empty());                      // not externally accessible
  CHECK(web.spec.internal_traffic_policy == "Cluster");

  const auto& np = std::get<Service>((*r)[1].object);
  CHECK(np.spec.external_traffic_policy == "Cluster");
  REQUIRE(np.spec.session_affinity_config);
  CHECK(np.spec.session_affinity_config->client_ip->timeout_seconds == 10800);

  const auto& ext = std::get<Service>((*r)[2].object);
  CHECK(ext.metadata.namespace_ == "default");
  CHECK(ext.spec.internal_traffic_policy.empty());  // not for ExternalName
}

TEST_CASE("endpoint slice port defaults", "[defaults]") {
  auto r = decode_manifests(read_fixture("endpointslice.yaml"));
  REQUIRE(r.ok());
  const auto& slice = std::get<EndpointSlice>((*r)[0].object);
  CHECK(slice.ports[0].protocol == "TCP");
}

TEST_CASE("defaults are idempotent", "[defaults]") {
  for (const char* name : {"web-pod.yaml", "minimal-pod.yaml", "api-pod.json"}) {
    INFO(name);
    Pod once = load_pod(name);
    Pod twice = with_defaults(once);
    CHECK(encode(twice) == encode(once));
  }
}
