// Orphaned pods after a restart: rebuilt from containerd labels and sandboxes on disk; desired
// pods are never among them.
#include <catch2/catch.hpp>

#include "agent/pods/orphans.h"
#include "agent/pods/pod_runtime_state.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {

runtime::ContainerState labelled(const std::string& id, const std::string& uid, const std::string& pod,
                                 const std::string& container) {
  runtime::ContainerState c;
  c.id = id;
  c.labels = {{labels::kPodUid, uid}, {labels::kPodName, pod}, {labels::kPodNamespace, "team"},
              {labels::kContainerName, container}};
  return c;
}

}  // namespace

TEST_CASE("orphans: pods with containers or a sandbox that are no longer desired") {
  std::vector<runtime::ContainerState> containers = {
      labelled("c1", "u-gone", "web-node1", "app"), labelled("c2", "u-gone", "web-node1", "sidecar"),
      labelled("c3", "u-kept", "db-node1", "db")};
  runtime::ContainerState unlabelled;
  unlabelled.id = "foreign";
  containers.push_back(unlabelled);

  auto orphans = orphaned_pods(containers, {"u-kept", "u-sandbox-only", "u-gone"}, {"u-kept"});
  REQUIRE(orphans.size() == 2);
  const auto& gone = orphans[0];
  CHECK(gone.metadata.uid == "u-gone");
  CHECK(gone.metadata.name == "web-node1");
  CHECK(gone.metadata.namespace_ == "team");
  REQUIRE(gone.spec.containers.size() == 2);
  CHECK(gone.spec.containers[0].name == "app");
  CHECK(gone.spec.containers[1].name == "sidecar");
  CHECK(gone.spec.termination_grace_period_seconds == 30);
  const auto& bare = orphans[1];
  CHECK(bare.metadata.uid == "u-sandbox-only");
  CHECK(bare.metadata.namespace_ == "default");
  CHECK(bare.spec.containers.empty());

  CHECK(orphaned_pods(containers, {}, {"u-gone", "u-kept"}).empty());
}
