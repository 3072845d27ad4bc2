#include <catch2/catch.hpp>

#include "agent/pods/pod_manager.h"
#include "kube/quantity.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;

namespace {
class CountingHandler : public PodSyncHandler {
 public:
  SyncResult sync_pod(const PodPtr&) override { ++syncs; return {}; }
  Result<TerminateProgress> terminate_pod(const PodPtr&) override {
    ++terminations;
    return TerminateProgress{};
  }
  Status cleanup_pod(const PodPtr&) override { return ok_status(); }
  std::atomic<int> syncs{0}, terminations{0};
};

PodPtr make(const std::string& name, int created) {
  auto p = testing::pod(name, {"c"});
  p.metadata.creation_timestamp = kube::Time(std::chrono::seconds(created));
  return std::make_shared<const kube::Pod>(p);
}
}  // namespace

TEST_CASE("pods that appear are synced, pods that vanish are terminated") {
  CountingHandler h;
  PodWorkers workers(h, 2);
  PodManager manager(workers, NodeAllocatable{110, {}}, nullptr);
  manager.set_source_pods("file", {make("a", 1), make("b", 2)});
  workers.wait_idle();
  CHECK(h.syncs == 2);
  manager.set_source_pods("file", {make("b", 2)});
  workers.wait_idle();
  CHECK(h.terminations == 1);
  CHECK(manager.pods().size() == 1);
}

TEST_CASE("max-pods rejects the newest pods with OutOfpods") {
  CountingHandler h;
  PodWorkers workers(h, 2);
  std::vector<std::string> rejected;
  PodManager manager(workers, NodeAllocatable{2, {}}, [&](const PodPtr& p, const std::string& reason, const std::string&) {
    rejected.push_back(p->metadata.name + ":" + reason);
  });
  manager.set_source_pods("file", {make("c", 3), make("a", 1), make("b", 2)});
  workers.wait_idle();
  CHECK(rejected == std::vector<std::string>{"c:OutOfpods"});
  CHECK(manager.rejected("uid-c"));
  CHECK(manager.pods().size() == 3);  // rejected pods stay listed, like Failed pods
}

TEST_CASE("find resolves name, namespace/name and uid prefixes") {
  CountingHandler h;
  PodWorkers workers(h, 1);
  PodManager manager(workers, NodeAllocatable{110, {}}, nullptr);
  manager.set_source_pods("file", {make("web", 1)});
  std::string why;
  CHECK(manager.find("web", &why).has_value());
  CHECK(manager.find("default/web", &why).has_value());
  CHECK(manager.find("uid-w", &why).has_value());
  CHECK_FALSE(manager.find("db", &why).has_value());
  CHECK(why == "pod \"db\" not found");
}

TEST_CASE("admission counts only the active pods admitted before: a finished pod frees its cpu") {
  CountingHandler h;
  PodWorkers workers(h, 2);
  std::vector<std::string> rejected;
  PodManager manager(workers, NodeAllocatable{110, {{"cpu", 1000}}},
                     [&](const PodPtr& p, const std::string& reason, const std::string&) {
                       rejected.push_back(p->metadata.name + ":" + reason);
                     });
  auto asking = [](const std::string& name, int created) {
    auto p = testing::pod(name, {"c"});
    p.metadata.creation_timestamp = kube::Time(std::chrono::seconds(created));
    p.spec.containers[0].resources.requests["cpu"] = *kube::parse_quantity("600m");
    return std::make_shared<const kube::Pod>(p);
  };
  auto a = asking("a", 1), b = asking("b", 2), c = asking("c", 3);
  manager.set_source_pods("api", {a, b});
  workers.wait_idle();
  CHECK(rejected == std::vector<std::string>{"b:OutOfcpu"});

  manager.set_finished([](const std::string& uid) { return uid == "uid-a"; });
  manager.set_source_pods("api", {a, b, c});
  workers.wait_idle();
  CHECK(rejected == std::vector<std::string>{"b:OutOfcpu"});  // c fits beside the finished a
  CHECK_FALSE(manager.rejected("uid-c"));
}

TEST_CASE("a pod whose object changed is synced with the new object; an unchanged one is not") {
  CountingHandler h;
  PodWorkers workers(h, 2);
  PodManager manager(workers, NodeAllocatable{110, {}}, nullptr);
  auto versioned = [](const std::string& rv, const std::string& label) {
    auto p = testing::pod("a", {"c"});
    p.metadata.resource_version = rv;
    p.metadata.labels["app"] = label;
    return std::make_shared<const kube::Pod>(p);
  };
  manager.set_source_pods("api", {versioned("1", "x")});
  workers.wait_idle();
  CHECK(h.syncs == 1);
  manager.set_source_pods("api", {versioned("1", "x")});  // the same object decoded again
  workers.wait_idle();
  CHECK(h.syncs == 1);
  manager.set_source_pods("api", {versioned("2", "y")});  // labels changed: a new resourceVersion
  workers.wait_idle();
  CHECK(h.syncs == 2);
  REQUIRE(manager.pod_by_uid("uid-a"));
  CHECK((*manager.pod_by_uid("uid-a"))->metadata.labels.at("app") == "y");

  // Manifest pods have no resourceVersion: their content decides.
  manager.set_source_pods("file", {std::make_shared<const kube::Pod>(testing::pod("b", {"c"}))});
  workers.wait_idle();
  manager.set_source_pods("file", {std::make_shared<const kube::Pod>(testing::pod("b", {"c"}))});
  workers.wait_idle();
  CHECK(h.syncs == 3);
}
