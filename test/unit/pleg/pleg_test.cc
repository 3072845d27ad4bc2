// The PLEG: events wake their pod, the relist wakes the pods whose containers changed (and only
// those), the resync wakes everything; against the fake container service.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "agent/pleg/pleg.h"
#include "test/fakes/fake_runtime.h"

using namespace nodeagent;
using namespace std::chrono_literals;
using runtime::ContainerStateKind;

namespace {

struct RecordingWaker : pleg::PodWaker {
  std::mutex mu;
  std::vector<std::string> woken;
  int all = 0;
  void wake(const std::string& uid) override {
    std::lock_guard lock(mu);
    woken.push_back(uid);
  }
  void wake_all() override {
    std::lock_guard lock(mu);
    ++all;
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mu);
    auto out = std::move(woken);
    woken.clear();
    return out;
  }
};

runtime::ContainerState container(const std::string& id, const std::string& uid, ContainerStateKind state,
                                  uint32_t pid = 0, const std::string& node = "n1") {
  runtime::ContainerState c;
  c.id = id;
  c.state = state;
  c.pid = pid;
  c.labels = {{"uid", uid}, {"node", node}};
  return c;
}

pleg::PlegOptions options() {
  pleg::PlegOptions o;
  o.selector = {{"node", "n1"}};
  o.pod_uid_label = "uid";
  return o;
}

}  // namespace

TEST_CASE("changed_pods: appeared, gone and changed containers name their pods") {
  pleg::Relist before = {{"a", {"pod-1", ContainerStateKind::kRunning, 10}}, {"b", {"pod-2", ContainerStateKind::kRunning, 11}},
                         {"c", {"pod-3", ContainerStateKind::kRunning, 12}}};
  pleg::Relist after = before;
  CHECK(pleg::changed_pods(before, after).empty());
  after["b"].state = ContainerStateKind::kExited;  // exited
  after.erase("c");                                 // removed
  after["d"] = {"pod-4", ContainerStateKind::kCreated, 0};  // new
  CHECK(pleg::changed_pods(before, after) == std::set<std::string>{"pod-2", "pod-3", "pod-4"});
  after = before;
  after["a"].pid = 99;  // restarted in place
  CHECK(pleg::changed_pods(before, after) == std::set<std::string>{"pod-1"});
}

TEST_CASE("a relist wakes only the pods whose containers changed since the last one") {
  fakes::FakeContainerService containers;
  containers.set_state(container("a", "pod-1", ContainerStateKind::kRunning, 10));
  containers.set_state(container("b", "pod-2", ContainerStateKind::kRunning, 11));
  containers.set_state(container("x", "other-node-pod", ContainerStateKind::kRunning, 12, "n2"));
  RecordingWaker waker;
  pleg::Pleg p(containers, waker, options());

  REQUIRE(p.relist().ok());  // the baseline wakes nothing
  CHECK(waker.take().empty());
  REQUIRE(p.relist().ok());
  CHECK(waker.take().empty());  // nothing changed

  containers.set_state(container("b", "pod-2", ContainerStateKind::kExited));
  containers.set_state(container("x", "other-node-pod", ContainerStateKind::kExited, 0, "n2"));
  REQUIRE(p.relist().ok());
  CHECK(waker.take() == std::vector<std::string>{"pod-2"});  // not the other node's pod
  REQUIRE(p.relist().ok());
  CHECK(waker.take().empty());
}

TEST_CASE("an event wakes the pod of its container; unknown containers are skipped") {
  fakes::FakeContainerService containers;
  containers.set_state(container("a", "pod-1", ContainerStateKind::kRunning, 10));
  RecordingWaker waker;
  pleg::Pleg p(containers, waker, options());
  p.on_container_event("a");
  p.on_container_event("a");  // several events of one pod: one wake
  p.on_container_event("gone");
  p.process_events();
  CHECK(waker.take() == std::vector<std::string>{"pod-1"});
}

TEST_CASE("the loop: events at once, relists on their period, every pod on the resync period") {
  fakes::FakeContainerService containers;
  containers.set_state(container("a", "pod-1", ContainerStateKind::kRunning, 10));
  RecordingWaker waker;
  auto o = options();
  o.relist_period = 50ms;
  o.resync_period = 200ms;
  pleg::Pleg p(containers, waker, o);
  p.start();
  std::this_thread::sleep_for(100ms);  // baseline taken
  containers.set_state(container("a", "pod-1", ContainerStateKind::kExited));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  std::vector<std::string> seen;
  while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    seen = waker.take();
  }
  CHECK(seen == std::vector<std::string>{"pod-1"});
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    std::lock_guard lock(waker.mu);
    if (waker.all > 0) break;
  }
  p.stop();
  p.stop();  // idempotent
  CHECK(waker.all >= 1);
}
