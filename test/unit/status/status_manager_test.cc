// StatusManager: write-only-on-change with versions, coalesced listener notifications,
// persistence to <root>/pods/<uid>/status.json and load_all() after a restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/status/status_manager.h"
#include "test/support/temp_dir.h"
#include "test/unit/status/pod_fixtures.h"

using namespace nodeagent;
using namespace nodeagent::status;
using namespace nodeagent::status::testing;
namespace fs = std::filesystem;
using nodeagent::testing::TempDir;

namespace {

kube::PodStatus running_status(int transition_time = 100) {
  kube::PodStatus s;
  s.phase = "Running";
  s.pod_ip = "10.88.0.5";
  s.pod_ips = {kube::PodIP{"10.88.0.5"}};
  s.start_time = at(100);
  s.conditions.push_back(kube::PodCondition{"Ready", "True", at(transition_time), at(transition_time), "", ""});
  kube::ContainerStatus c;
  c.name = "a";
  c.ready = true;
  c.restart_count = 2;
  c.state.running = kube::ContainerStateRunning{at(90)};
  kube::ContainerStateTerminated last;
  last.exit_code = 1;
  last.reason = "Error";
  last.container_id = "containerd://a-1";
  c.last_state.terminated = last;
  c.container_id = "containerd://a-2";
  s.container_statuses.push_back(c);
  return s;
}

// Collects notifications from the notifier thread.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<std::string>> batches;

  StatusManager::Listener listener() {
    return [this](const std::vector<std::string>& uids) {
      std::lock_guard lock(mu);
      batches.push_back(uids);
      cv.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return batches.size() >= n; });
  }
};

}  // namespace

TEST_CASE("set_pod_status stores and versions only real changes") {
  StatusManager manager("");
  CHECK_FALSE(manager.get_pod_status("uid-1"));

  CHECK(manager.set_pod_status("uid-1", running_status()));
  auto v1 = manager.get_versioned("uid-1");
  REQUIRE(v1);
  CHECK(v1->status.phase == "Running");

  SECTION("the same status again is no change") {
    CHECK_FALSE(manager.set_pod_status("uid-1", running_status()));
    CHECK(manager.get_versioned("uid-1")->version == v1->version);
  }
  SECTION("only the probe and transition times of kubelet's conditions differ: no change") {
    CHECK_FALSE(manager.set_pod_status("uid-1", running_status(500)));
    CHECK(manager.get_pod_status("uid-1")->conditions[0].last_probe_time == at(100));
  }
  SECTION("a real change bumps the version") {
    kube::PodStatus changed = running_status();
    changed.container_statuses[0].ready = false;
    CHECK(manager.set_pod_status("uid-1", changed));
    CHECK(manager.get_versioned("uid-1")->version > v1->version);
    CHECK_FALSE(manager.get_pod_status("uid-1")->container_statuses[0].ready);
  }
  SECTION("startTime never moves once set") {
    kube::PodStatus changed = running_status();
    changed.start_time = at(999);
    changed.phase = "Succeeded";
    CHECK(manager.set_pod_status("uid-1", changed));
    CHECK(manager.get_pod_status("uid-1")->start_time == at(100));
  }
  SECTION("remove forgets the pod") {
    manager.remove("uid-1");
    CHECK_FALSE(manager.get_pod_status("uid-1"));
    CHECK(manager.versions().empty());
  }
  SECTION("versions grow across pods") {
    CHECK(manager.set_pod_status("uid-2", running_status()));
    auto versions = manager.versions();
    CHECK(versions.size() == 2);
    CHECK(versions["uid-2"] > versions["uid-1"]);
  }
}

TEST_CASE("listeners hear about changed pods, coalesced") {
  StatusManager manager("");
  Recorder recorder;
  // Block the first dispatch so that the next changes pile up behind it.
  std::mutex gate;
  std::unique_lock hold(gate);
  std::atomic<bool> first{true};
  std::atomic<bool> entered{false};
  manager.add_listener([&](const std::vector<std::string>&) {
    if (!first.exchange(false)) return;
    entered = true;
    std::lock_guard wait(gate);
  });
  manager.add_listener(recorder.listener());

  REQUIRE(manager.set_pod_status("uid-1", running_status()));
  while (!entered) std::this_thread::yield();
  // While the notifier is held in the first dispatch, change uid-2 three times and uid-1 once.
  for (int i = 0; i < 3; ++i) {
    kube::PodStatus s = running_status();
    s.container_statuses[0].restart_count = 10 + i;
    REQUIRE(manager.set_pod_status("uid-2", s));
  }
  kube::PodStatus s = running_status();
  s.phase = "Failed";
  REQUIRE(manager.set_pod_status("uid-1", s));
  CHECK_FALSE(manager.set_pod_status("uid-1", s));  // no change, no notification
  hold.unlock();

  REQUIRE(recorder.wait_for(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // nothing more may arrive
  std::lock_guard lock(recorder.mu);
  REQUIRE(recorder.batches.size() == 2);
  CHECK(recorder.batches[0] == std::vector<std::string>{"uid-1"});
  CHECK(recorder.batches[1] == std::vector<std::string>{"uid-1", "uid-2"});
}

TEST_CASE("a removed listener is not called again") {
  StatusManager manager("");
  std::atomic<int> calls{0};
  auto id = manager.add_listener([&](const std::vector<std::string>&) { ++calls; });
  Recorder recorder;
  manager.add_listener(recorder.listener());
  REQUIRE(manager.set_pod_status("uid-1", running_status()));
  REQUIRE(recorder.wait_for(1));
  manager.remove_listener(id);
  manager.remove("uid-1");
  REQUIRE(recorder.wait_for(2));
  CHECK(calls == 1);
}

TEST_CASE("statuses are persisted and read back by a new manager") {
  TempDir root("na-status-test");
  {
    StatusManager manager(root.path());
    REQUIRE(manager.set_pod_status("uid-1", running_status()));
    REQUIRE(manager.set_pod_status("uid-2", running_status()));
    manager.remove("uid-2");
  }
  CHECK(fs::exists(root / "pods" / "uid-1" / "status.json"));
  CHECK_FALSE(fs::exists(root / "pods" / "uid-1" / "status.json.tmp"));
  CHECK_FALSE(fs::exists(root / "pods" / "uid-2" / "status.json"));

  // A corrupt file of another pod is reported and skipped.
  fs::create_directories(root / "pods" / "uid-3");
  std::ofstream(root / "pods" / "uid-3" / "status.json") << "{not json";
  // A pod directory without a status (volumes only) is not an error.
  fs::create_directories(root / "pods" / "uid-4" / "volumes");

  StatusManager restarted(root.path());
  Recorder recorder;
  restarted.add_listener(recorder.listener());
  auto report = restarted.load_all();
  REQUIRE(report.ok());
  CHECK(report->loaded == 1);
  REQUIRE(report->errors.size() == 1);
  CHECK(report->errors[0].find("uid-3/status.json: not valid JSON") != std::string::npos);

  auto loaded = restarted.get_pod_status("uid-1");
  REQUIRE(loaded);
  CHECK(loaded->start_time == at(100));
  CHECK(loaded->container_statuses[0].restart_count == 2);
  CHECK(loaded->container_statuses[0].last_state.terminated->container_id == "containerd://a-1");
  // The same status again after a restart is not a change.
  CHECK_FALSE(restarted.set_pod_status("uid-1", running_status()));
  REQUIRE(recorder.wait_for(1));
}

TEST_CASE("load_all with no pods directory yet loads nothing") {
  TempDir root("na-status-test");
  StatusManager manager((root / "absent").string());
  auto report = manager.load_all();
  REQUIRE(report.ok());
  CHECK(report->loaded == 0);
}

TEST_CASE("a pod uid that is not a plain name is refused") {
  TempDir root("na-status-test");
  StatusManager manager(root.path());
  CHECK_FALSE(manager.set_pod_status("../escape", running_status()));
  CHECK_FALSE(manager.get_pod_status("../escape"));
  CHECK_FALSE(fs::exists(root / "escape"));
}

TEST_CASE("a failed write is retried on the next set") {
  TempDir root("na-status-test");
  // pods/uid-1 is a file, so the pod's directory cannot be created.
  fs::create_directories(root / "pods");
  std::ofstream(root / "pods" / "uid-1") << "";
  StatusManager manager(root.path());
  CHECK(manager.set_pod_status("uid-1", running_status()));  // cached, not saved
  fs::remove(root / "pods" / "uid-1");
  CHECK_FALSE(manager.set_pod_status("uid-1", running_status()));  // unchanged, but saved now
  CHECK(fs::exists(root / "pods" / "uid-1" / "status.json"));
}

TEST_CASE("concurrent writers and readers") {
  StatusManager manager("");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        kube::PodStatus s = running_status();
        s.container_statuses[0].restart_count = i;
        manager.set_pod_status("uid-" + std::to_string(t), s);
        auto read = manager.get_pod_status("uid-" + std::to_string((t + 1) % 4));
        (void)read;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto versions = manager.versions();
  CHECK(versions.size() == 4);
  for (int t = 0; t < 4; ++t) CHECK(manager.get_pod_status("uid-" + std::to_string(t))->container_statuses[0].restart_count == 199);
}
