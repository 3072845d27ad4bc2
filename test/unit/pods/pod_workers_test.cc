#include <catch2/catch.hpp>

#include <algorithm>

#include <atomic>
#include <thread>

#include "agent/pods/pod_workers.h"
#include "pod_test_util.h"

using namespace nodeagent;
using namespace nodeagent::pods;
using namespace std::chrono_literals;

namespace {

// Records calls; a sync can be held open to test serialisation and "latest wins".
class RecordingHandler : public PodSyncHandler {
 public:
  SyncResult sync_pod(const PodPtr& pod) override {
    int now = ++concurrent_;
    max_concurrent = std::max(max_concurrent.load(), now);
    {
      std::lock_guard lock(mu);
      calls.push_back("sync " + pod->metadata.uid + " gen=" + std::to_string(pod->metadata.generation));
    }
    while (hold) std::this_thread::sleep_for(1ms);
    --concurrent_;
    return {};
  }
  Result<TerminateProgress> terminate_pod(const PodPtr& pod) override {
    std::lock_guard lock(mu);
    calls.push_back("terminate " + pod->metadata.uid);
    if (fail_terminate-- > 0) return internal("containerd unavailable");
    if (steps_left-- > 0) return TerminateProgress{false, std::chrono::milliseconds(20)};
    return TerminateProgress{};
  }
  Status cleanup_pod(const PodPtr& pod) override {
    std::lock_guard lock(mu);
    calls.push_back("cleanup " + pod->metadata.uid);
    return ok_status();
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return calls;
  }

  std::mutex mu;
  std::vector<std::string> calls;
  std::atomic<bool> hold{false};
  std::atomic<int> max_concurrent{0};
  std::atomic<int> fail_terminate{0};
  std::atomic<int> steps_left{0};  // terminate_pod calls that report "still stopping"

 private:
  std::atomic<int> concurrent_{0};  // syncs in flight (the tests use one pod)
};

PodPtr gen(const std::string& name, int64_t generation) {
  auto p = testing::pod(name, {"c"});
  p.metadata.generation = generation;
  return std::make_shared<const kube::Pod>(p);
}

}  // namespace

TEST_CASE("updates for one pod are serialised and the latest pending update wins") {
  RecordingHandler h;
  PodWorkers workers(h, 4);
  h.hold = true;
  workers.update(gen("a", 1));
  std::this_thread::sleep_for(20ms);  // gen 1 is running and held
  workers.update(gen("a", 2));
  workers.update(gen("a", 3));        // replaces gen 2 in the mailbox
  h.hold = false;
  workers.wait_idle();
  auto calls = h.snapshot();
  CHECK(calls == std::vector<std::string>{"sync uid-a gen=1", "sync uid-a gen=3"});
  CHECK(h.max_concurrent == 1);
}

TEST_CASE("kill terminates, cleans up and forgets the pod") {
  RecordingHandler h;
  PodWorkers workers(h, 2);
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.kill("uid-a");
  workers.wait_idle();
  CHECK(h.snapshot() == std::vector<std::string>{"sync uid-a gen=1", "terminate uid-a", "cleanup uid-a"});
  CHECK_FALSE(workers.state("uid-a").has_value());
  workers.wake("uid-a");  // unknown now: nothing happens
  workers.wait_idle();
  CHECK(h.snapshot().size() == 3);
}

TEST_CASE("a failed termination is retried after a pause") {
  RecordingHandler h;
  h.fail_terminate = 1;
  PodWorkers workers(h, 2);
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.kill("uid-a");
  for (int i = 0; i < 400 && workers.state("uid-a"); ++i) std::this_thread::sleep_for(10ms);
  CHECK(h.snapshot() == std::vector<std::string>{"sync uid-a gen=1", "terminate uid-a", "terminate uid-a", "cleanup uid-a"});
}

TEST_CASE("a termination still stopping is called again on its timer, without holding a worker") {
  RecordingHandler h;
  h.steps_left = 2;
  PodWorkers workers(h, 1);  // one thread: another pod still syncs meanwhile
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.kill("uid-a");
  workers.update(gen("b", 1));
  for (int i = 0; i < 400 && workers.state("uid-a"); ++i) std::this_thread::sleep_for(5ms);
  auto calls = h.snapshot();
  CHECK(std::count(calls.begin(), calls.end(), "terminate uid-a") == 3);
  CHECK(calls.back() == "cleanup uid-a");
  CHECK(std::find(calls.begin(), calls.end(), "sync uid-b gen=1") < std::find(calls.begin(), calls.end(), "cleanup uid-a"));
}

TEST_CASE("a wake moves a termination on at once") {
  RecordingHandler h;
  h.steps_left = 1;
  PodWorkers workers(h, 2);
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.kill("uid-a");
  workers.wait_idle();
  CHECK(workers.state("uid-a") == WorkerState::kTerminating);
  workers.wake("uid-a");  // a container exited: no need to wait for the timer
  workers.wait_idle();
  CHECK(h.snapshot() == std::vector<std::string>{"sync uid-a gen=1", "terminate uid-a", "terminate uid-a", "cleanup uid-a"});
}

TEST_CASE("terminate() stops an orphan without syncing it, and leaves known pods alone") {
  RecordingHandler h;
  PodWorkers workers(h, 2);
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.terminate(gen("a", 9));  // known: ignored
  workers.terminate(gen("orphan", 1));
  workers.wait_idle();
  CHECK(h.snapshot() == std::vector<std::string>{"sync uid-a gen=1", "terminate uid-orphan", "cleanup uid-orphan"});
  CHECK(workers.state("uid-a") == WorkerState::kSyncing);
}

TEST_CASE("an update during termination restarts the pod after cleanup") {
  RecordingHandler h;
  PodWorkers workers(h, 2);
  workers.update(gen("a", 1));
  workers.wait_idle();
  h.hold = true;
  workers.kill("uid-a");
  workers.update(gen("a", 2));
  h.hold = false;
  workers.wait_idle();
  CHECK(h.snapshot() == std::vector<std::string>{"sync uid-a gen=1", "terminate uid-a", "cleanup uid-a", "sync uid-a gen=2"});
  CHECK(workers.state("uid-a") == WorkerState::kSyncing);
}

TEST_CASE("schedule wakes a pod after the delay") {
  RecordingHandler h;
  PodWorkers workers(h, 1);
  workers.update(gen("a", 1));
  workers.wait_idle();
  workers.schedule("uid-a", 30ms);
  std::this_thread::sleep_for(150ms);
  workers.wait_idle();
  CHECK(h.snapshot().size() == 2);
}
