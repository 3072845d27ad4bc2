#include "probes/handlers/exec_prober.h"

#include <fmt/format.h>

namespace nodeagent::probes {

RunResult exec_outcome(const ProbeTarget& target, const Result<runtime::ExecResult>& result) {
  if (!result.ok()) return {Outcome::kUnknown, result.error().message, false};
  if (result->timed_out) {
    std::string cmd;
    for (const auto& a : target.command) cmd += (cmd.empty() ? "" : " ") + a;
    return {Outcome::kFailure, fmt::format("command \"{}\" timed out", cmd), false};
  }
  std::string output = result->stdout_data + result->stderr_data;
  if (result->exit_code != 0) return {Outcome::kFailure, output, false};
  return {Outcome::kSuccess, output, false};
}

ExecProber::ExecProber(runtime::ContainerService& containers, int concurrency) : containers_(containers) {
  for (int i = 0; i < std::max(1, concurrency); ++i) threads_.emplace_back([this] { work(); });
}

ExecProber::~ExecProber() { stop(); }

void ExecProber::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ExecProber::start(const ProbeRun& run, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(run, std::move(done));
  }
  cv_.notify_one();
}

void ExecProber::work() {
  for (;;) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [run, done] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto result = containers_.exec_sync(run.container_id, run.target.command, run.timeout);
    done(exec_outcome(run.target, result));
  }
}

}  // namespace nodeagent::probes
