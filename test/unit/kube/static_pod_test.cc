// Static pods: name, UID stability, annotations, toleration.
#include <catch2/catch.hpp>

#include "kube/pod_util.h"
#include "kube/static_pod.h"
#include "kube/time.h"
#include "fixtures.h"

using namespace nodeagent::kube;
using namespace nodeagent::kube::testing;

TEST_CASE("a manifest becomes a pod bound to this node", "[static]") {
  Pod read = load_pod("web-pod.yaml");
  Time seen = *parse_time("2026-11-25T07:00:00.5Z");
  Pod pod = make_static_pod(read, "Node-1", "/etc/nodeagent/manifests/web.yaml", seen);
  CHECK(pod.metadata.name == "web-node-1");
  CHECK(pod.metadata.namespace_ == "default");
  CHECK(pod.spec.node_name == "Node-1");
  CHECK(pod.metadata.uid.size() == 32);
  CHECK(pod.metadata.uid.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(pod.metadata.annotations.at(kConfigHashAnnotation) == pod.metadata.uid);
  CHECK(pod.metadata.annotations.at(kConfigSourceAnnotation) == "file");
  CHECK(pod.metadata.annotations.at(kConfigSeenAnnotation) == "2026-11-25T07:00:00.5Z");
  CHECK(pod.metadata.annotations.at("example.com/owner") == "team-a");  // the manifest's own are kept
  CHECK(pod.status.phase == "Pending");
  CHECK(is_static_pod(pod));
  bool tolerates_no_execute = false;
  for (const auto& t : pod.spec.tolerations) {
    if (t.key.empty() && t.operator_ == "Exists" && t.effect == "NoExecute") tolerates_no_execute = true;
  }
  CHECK(tolerates_no_execute);
}

TEST_CASE("the UID depends on content, node and file; not on when it was seen", "[static]") {
  const std::string path = "/etc/nodeagent/manifests/web.yaml";
  Pod read = load_pod("web-pod.yaml");
  const std::string uid = static_pod_uid(read, "node-1", path);
  // Same file read again, later: same UID.
  CHECK(static_pod_uid(load_pod("web-pod.yaml"), "node-1", path) == uid);
  CHECK(make_static_pod(read, "node-1", path, *parse_time("2026-01-01T00:00:00Z")).metadata.uid ==
        make_static_pod(read, "node-1", path, *parse_time("2027-01-01T00:00:00Z")).metadata.uid);
  // Another node or another file: another pod.
  CHECK(static_pod_uid(read, "node-2", path) != uid);
  CHECK(static_pod_uid(read, "node-1", "/etc/nodeagent/manifests/web2.yaml") != uid);
  // An edit: another pod.
  Pod edited = read;
  edited.spec.containers[0].image = "registry.local:5000/web/app:v2";
  CHECK(static_pod_uid(edited, "node-1", path) != uid);
}

TEST_CASE("a UID written in the manifest is kept", "[static]") {
  Pod read = load_pod("minimal-pod.yaml");
  read.metadata.uid = "fixed-uid";
  Pod pod = make_static_pod(read, "n", "/m.yaml", Time{});
  CHECK(pod.metadata.uid == "fixed-uid");
  CHECK(pod.metadata.annotations.at(kConfigHashAnnotation) == "fixed-uid");
}
