// The prober: every probe of every pod on one timer loop thread. The loop takes the runs that
// are due from the ProbeManager, starts tcpSocket/httpGet/grpc runs as non-blocking connections
// on its own epoll (sockets made in the pod's netns), hands exec runs to a small pool, and
// feeds each result back to the manager on the loop thread, so that results, events, wake-ups
// and saved state follow one order. The pod workers call update_pod/results/remove_pod from
// their own threads (one lock); what changed reaches the agent through two callbacks: an event
// (kubelet's Unhealthy / ProbeWarning) and a wake (sync this pod now). It knows nothing of
// agent/: the daemon's adapter (agent/daemon/probe_adapter.*) translates.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "probes/engine/probe_manager.h"
#include "runtime/runtime.h"
#include "util/clock.h"

namespace nodeagent::probes {

class IoLoop;
class NetnsSockets;
class SocketProber;
class ExecProber;
class GrpcProber;

class Prober {
 public:
  struct Options {
    std::string user_agent = "kube-probe/0.1";  // kubelet's kube-probe/<major.minor>
    int exec_concurrency = 4;
    ResultStore* store = nullptr;
    std::function<void(const ProbeManager::Event&)> on_event;
    std::function<void(const std::string& pod_uid)> on_wake;
  };

  // `containers` runs exec probes (nullptr: they fail).
  Prober(const Clock& clock, runtime::ContainerService* containers, Options options);
  ~Prober();

  void start();
  void stop();  // idempotent; in-flight runs are dropped

  void update_pod(const PodInput& input);
  void remove_pod(const std::string& uid);
  PodResults results(const std::string& uid);
  std::vector<ProbeSnapshot> snapshot();

 private:
  void loop();
  void dispatch(const ProbeRun& run);
  void complete(uint64_t run_id, const RunResult& result);  // loop thread

  const Clock& clock_;
  runtime::ContainerService* containers_;
  Options options_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::unique_ptr<ProbeManager> manager_;
  std::unique_ptr<IoLoop> io_;
  std::unique_ptr<NetnsSockets> sockets_;
  std::unique_ptr<SocketProber> net_;
  std::unique_ptr<ExecProber> exec_;
  std::unique_ptr<GrpcProber> grpc_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nodeagent::probes
