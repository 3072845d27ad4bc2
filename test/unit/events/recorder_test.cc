// Event recorder: kubelet-shaped events, aggregation of identical events, the bounded ring,
// filters, manifest-file events, listeners and concurrent use.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "agent/events/recorder.h"

using namespace nodeagent;
using namespace nodeagent::events;

namespace {

kube::Time at(int seconds) { return kube::Time(std::chrono::seconds(1'700'000'000 + seconds)); }

struct FakeClock {
  kube::Time now = at(0);
  std::function<kube::Time()> fn() {
    return [this] { return now; };
  }
};

kube::Pod pod(const std::string& name, const std::string& uid) {
  kube::Pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = "default";
  p.metadata.uid = uid;
  p.spec.containers.resize(1);
  p.spec.containers[0].name = "app";
  p.spec.init_containers.resize(1);
  p.spec.init_containers[0].name = "setup";
  return p;
}

RecorderOptions options(const std::string& node, std::size_t capacity = 1000) {
  RecorderOptions o;
  o.node_name = node;
  o.capacity = capacity;
  return o;
}

}  // namespace

TEST_CASE("an event looks like kubelet's") {
  FakeClock clock;
  Recorder recorder({"node-1", 1000, clock.fn()});
  kube::Event e = recorder.record(container_reference(pod("web", "u1"), "app"), kNormal, "Started",
                                  "Started container app");
  CHECK(e.metadata.name == "web.17979cfe362a0000");  // <name>.<hex unix nanos>
  CHECK(e.metadata.namespace_ == "default");
  CHECK(e.involved_object.kind == "Pod");
  CHECK(e.involved_object.api_version == "v1");
  CHECK(e.involved_object.uid == "u1");
  CHECK(e.involved_object.field_path == "spec.containers{app}");
  CHECK(e.source.component == "kubelet");
  CHECK(e.source.host == "node-1");
  CHECK(e.reporting_component == "kubelet");
  CHECK(e.reporting_instance == "node-1");
  CHECK(e.count == 1);
  CHECK(e.first_timestamp == at(0));
  CHECK(e.last_timestamp == at(0));
  CHECK(e.type == "Normal");
  CHECK(container_reference(pod("web", "u1"), "setup").field_path == "spec.initContainers{setup}");
}

TEST_CASE("identical events are aggregated: count and lastTimestamp, same name") {
  FakeClock clock;
  Recorder recorder({"node-1", 1000, clock.fn()});
  auto ref = container_reference(pod("web", "u1"), "app");
  kube::Event first = recorder.record(ref, kWarning, "BackOff", "Back-off restarting failed container");
  recorder.record(pod_reference(pod("other", "u2")), kNormal, "Scheduled", "assigned");
  clock.now = at(30);
  kube::Event again = recorder.record(ref, kWarning, "BackOff", "Back-off restarting failed container");
  CHECK(again.metadata.name == first.metadata.name);
  CHECK(again.count == 2);
  CHECK(again.first_timestamp == at(0));
  CHECK(again.last_timestamp == at(30));
  CHECK(recorder.size() == 2);
  // The aggregated event is now the most recent one.
  auto all = recorder.list();
  CHECK(all.back().reason == "BackOff");

  SECTION("a different message is a different event") {
    kube::Event other = recorder.record(ref, kWarning, "BackOff", "something else");
    CHECK(other.count == 1);
    CHECK(other.metadata.name != first.metadata.name);
    CHECK(recorder.size() == 3);
  }
}

TEST_CASE("the ring keeps the most recently updated events") {
  FakeClock clock;
  Recorder recorder({"node-1", 3, clock.fn()});
  auto ref = pod_reference(pod("web", "u1"));
  for (int i = 0; i < 5; ++i) {
    clock.now = at(i);
    recorder.record(ref, kNormal, "R" + std::to_string(i), "m");
  }
  auto events = recorder.list();
  REQUIRE(events.size() == 3);
  CHECK(events[0].reason == "R2");
  CHECK(events[2].reason == "R4");
  // An evicted event recorded again starts over.
  CHECK(recorder.record(ref, kNormal, "R0", "m").count == 1);
}

TEST_CASE("events recorded in the same instant get distinct names") {
  FakeClock clock;
  Recorder recorder({"node-1", 10, clock.fn()});
  auto ref = pod_reference(pod("web", "u1"));
  auto a = recorder.record(ref, kNormal, "A", "m");
  auto b = recorder.record(ref, kNormal, "B", "m");
  CHECK(a.metadata.name != b.metadata.name);
}

TEST_CASE("list filters by object and type") {
  Recorder recorder(options("node-1"));
  recorder.record(pod_reference(pod("web", "u1")), kNormal, "Pulled", "m");
  recorder.record(pod_reference(pod("web", "u1")), kWarning, "Failed", "m");
  recorder.record(pod_reference(pod("db", "u2")), kNormal, "Pulled", "m");
  CHECK(recorder.list({"", "", "web", "", ""}).size() == 2);
  CHECK(recorder.list({"", "", "", "u2", ""}).size() == 1);
  CHECK(recorder.list({"", "", "", "", "Warning"}).size() == 1);
  CHECK(recorder.list({"Service", "", "", "", ""}).empty());
  CHECK(recorder.list().size() == 3);
}

TEST_CASE("events about manifest files name the file") {
  Recorder recorder(options("node-1"));
  kube::Event named = recorder.record_manifest("/etc/kubernetes/manifests/web.yaml", "web-node-1", kWarning,
                                               "FailedValidation", "spec.containers: Required value");
  CHECK(named.involved_object.kind == "Pod");
  CHECK(named.involved_object.name == "web-node-1");
  CHECK(named.message == "/etc/kubernetes/manifests/web.yaml: spec.containers: Required value");
  kube::Event unnamed =
      recorder.record_manifest("/etc/kubernetes/manifests/broken.yaml", "", kWarning, "FailedParse", "bad YAML");
  CHECK(unnamed.involved_object.name == "broken.yaml");
  CHECK(unnamed.metadata.namespace_ == "default");
}

TEST_CASE("listeners see new and aggregated events") {
  Recorder recorder(options("node-1"));
  std::vector<int32_t> counts;
  recorder.add_listener([&](const kube::Event& e) { counts.push_back(e.count); });
  auto ref = pod_reference(pod("web", "u1"));
  recorder.record(ref, kNormal, "Pulled", "m");
  recorder.record(ref, kNormal, "Pulled", "m");
  CHECK(counts == std::vector<int32_t>{1, 2});
}

TEST_CASE("concurrent recording loses no count") {
  Recorder recorder(options("node-1", 100));
  auto ref = pod_reference(pod("web", "u1"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) recorder.record(ref, kWarning, "Unhealthy", "Readiness probe failed");
    });
  }
  for (auto& th : threads) th.join();
  auto events = recorder.list();
  REQUIRE(events.size() == 1);
  CHECK(events[0].count == 1000);
}
