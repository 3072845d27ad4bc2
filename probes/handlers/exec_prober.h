// exec probes: the command runs in the container through the runtime (containerd exec), which
// kills it when timeoutSeconds passes. A few at once (`concurrency` threads, 4 by default):
// exec is a blocking call to containerd, and 100 probes need no 100 threads. Runs wait in a
// queue when all are busy; their probe stays "running" meanwhile.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "probes/engine/probe_types.h"
#include "runtime/runtime.h"

namespace nodeagent::probes {

// kubelet's verdict on an exec's outcome (pkg/probe/exec).
RunResult exec_outcome(const ProbeTarget& target, const Result<runtime::ExecResult>& result);

class ExecProber {
 public:
  using Done = std::function<void(RunResult)>;
  ExecProber(runtime::ContainerService& containers, int concurrency);
  ~ExecProber();
  void start(const ProbeRun& run, Done done);  // any thread; `done` runs on a pool thread
  void stop();

 private:
  void work();
  runtime::ContainerService& containers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<ProbeRun, Done>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace nodeagent::probes
