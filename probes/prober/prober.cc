#include "probes/prober/prober.h"

#include <algorithm>

#include "probes/handlers/exec_prober.h"
#include "probes/handlers/grpc_prober.h"
#include "probes/handlers/io_loop.h"
#include "probes/handlers/netns_sockets.h"
#include "probes/handlers/socket_prober.h"
#include "util/log.h"

namespace nodeagent::probes {

using std::chrono::milliseconds;

Prober::Prober(const Clock& clock, runtime::ContainerService* containers, Options options)
    : clock_(clock), containers_(containers), options_(std::move(options)), rng_(std::random_device{}()) {
  ProbeManager::Options mo;
  mo.store = options_.store;
  // Called under mu_.
  mo.jitter = [this](milliseconds period) {
    return milliseconds(std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(0, period.count() - 1))(rng_));
  };
  manager_ = std::make_unique<ProbeManager>(clock_, std::move(mo));
  io_ = std::make_unique<IoLoop>();
  sockets_ = std::make_unique<NetnsSockets>();
  net_ = std::make_unique<SocketProber>(*io_, *sockets_, options_.user_agent);
  grpc_ = std::make_unique<GrpcProber>(options_.user_agent);
}

Prober::~Prober() { stop(); }

void Prober::start() {
  if (containers_) exec_ = std::make_unique<ExecProber>(*containers_, options_.exec_concurrency);
  thread_ = std::thread([this] { loop(); });
}

void Prober::stop() {
  if (stopping_.exchange(true)) return;
  io_->wake();
  if (thread_.joinable()) thread_.join();
  if (exec_) exec_->stop();
  grpc_->stop();
}

void Prober::update_pod(const PodInput& input) {
  {
    std::lock_guard lock(mu_);
    manager_->update_pod(input);
  }
  io_->wake();
}

void Prober::remove_pod(const std::string& uid) {
  std::string netns;
  {
    std::lock_guard lock(mu_);
    netns = manager_->remove_pod(uid);
  }
  // The pod's namespace file is closed on the loop thread, which owns it.
  if (!netns.empty()) io_->post([this, netns] { sockets_->forget(netns); });
}

PodResults Prober::results(const std::string& uid) {
  std::lock_guard lock(mu_);
  return manager_->results(uid);
}

std::vector<ProbeSnapshot> Prober::snapshot() {
  std::lock_guard lock(mu_);
  return manager_->snapshot();
}

void Prober::dispatch(const ProbeRun& run) {
  const uint64_t id = run.run_id;
  if (!run.error.empty()) return complete(id, {Outcome::kUnknown, run.error, false});
  auto on_loop = [this, id](RunResult r) { complete(id, r); };
  auto from_elsewhere = [this, id](RunResult r) { io_->post([this, id, r = std::move(r)] { complete(id, r); }); };
  switch (run.target.type) {
    case ProbeTarget::Type::kHttpGet:
    case ProbeTarget::Type::kTcpSocket:
      return net_->start(run, on_loop);
    case ProbeTarget::Type::kExec:
      if (!exec_) return complete(id, {Outcome::kFailure, "exec probes are not available", false});
      return exec_->start(run, from_elsewhere);
    case ProbeTarget::Type::kGrpc:
      return net_->connect(run, [this, run, from_elsewhere](int fd, std::optional<RunResult> failure) {
        if (failure) return complete(run.run_id, *failure);
        grpc_->check(run, fd, from_elsewhere);
      });
  }
}

void Prober::complete(uint64_t run_id, const RunResult& result) {
  ProbeManager::Effects effects;
  {
    std::lock_guard lock(mu_);
    effects = manager_->complete(run_id, result, clock_.now());
  }
  if (options_.store)
    for (const auto& [uid, pod] : effects.save) options_.store->save(uid, pod);
  if (options_.on_event)
    for (const auto& e : effects.events) options_.on_event(e);
  if (options_.on_wake)
    for (const auto& uid : effects.wake) options_.on_wake(uid);
}

void Prober::loop() {
  auto logger = log::get("probes");
  while (!stopping_) {
    std::vector<ProbeRun> due;
    std::optional<Clock::TimePoint> next;
    {
      std::lock_guard lock(mu_);
      due = manager_->take_due(clock_.now());
      next = manager_->next_due();
    }
    for (const auto& run : due) dispatch(run);
    const auto steady_now = std::chrono::steady_clock::now();
    auto io_deadline = net_->expire(steady_now);
    net_->sweep();
    milliseconds wait(1000);
    if (next) wait = std::min(wait, std::chrono::ceil<milliseconds>(*next - clock_.now()));
    if (io_deadline) wait = std::min(wait, std::chrono::ceil<milliseconds>(*io_deadline - steady_now));
    io_->run_once(static_cast<int>(std::max<int64_t>(0, wait.count())));
    net_->sweep();
  }
}

}  // namespace nodeagent::probes
