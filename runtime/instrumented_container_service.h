// A ContainerService that counts and times every call for kubelet's runtime metrics
// (kubelet_runtime_operations_total / _errors_total / _duration_seconds by operation_type, the
// CRI method names kubelet uses), then forwards it to the real one.
#pragma once

#include <chrono>
#include <memory>

#include "runtime/runtime.h"
#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::runtime {

namespace detail {
template <class Fn>
auto timed(const char* op, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  auto result = fn();
  metrics::record_runtime_operation(op, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                                    !result.ok());
  return result;
}
}  // namespace detail

class InstrumentedContainerService final : public ContainerService {
 public:
  explicit InstrumentedContainerService(std::unique_ptr<ContainerService> inner) : inner_(std::move(inner)) {}

  Status create_container(const ContainerConfig& c) override {
    return detail::timed("create_container", [&] { return inner_->create_container(c); });
  }
  Result<uint32_t> start_container(const std::string& id) override {
    return detail::timed("start_container", [&] { return inner_->start_container(id); });
  }
  Status stop_container(const std::string& id, int signal, std::chrono::seconds grace) override {
    return detail::timed("stop_container", [&] { return inner_->stop_container(id, signal, grace); });
  }
  Status stop_containers(const std::vector<StopRequest>& requests, std::chrono::seconds grace) override {
    return detail::timed("stop_container", [&] { return inner_->stop_containers(requests, grace); });
  }
  Status signal_container(const std::string& id, int signal) override {
    return detail::timed("stop_container", [&] { return inner_->signal_container(id, signal); });
  }
  Status remove_container(const std::string& id) override {
    return detail::timed("remove_container", [&] { return inner_->remove_container(id); });
  }
  Status release_exited(const std::string& id) override {
    return detail::timed("stop_container", [&] { return inner_->release_exited(id); });
  }
  Result<ContainerState> container_status(const std::string& id) override {
    return detail::timed("container_status", [&] { return inner_->container_status(id); });
  }
  Result<std::vector<ContainerState>> list_containers(const Labels& selector) override {
    return detail::timed("list_containers", [&] { return inner_->list_containers(selector); });
  }
  Result<ExecResult> exec_sync(const std::string& id, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) override {
    return detail::timed("exec_sync", [&] { return inner_->exec_sync(id, argv, timeout); });
  }
  Result<int32_t> exec_stream(const std::string& id, const std::vector<std::string>& argv, const OutputFn& on_output) override {
    return detail::timed("exec", [&] { return inner_->exec_stream(id, argv, on_output); });
  }

 private:
  std::unique_ptr<ContainerService> inner_;
};

}  // namespace nodeagent::runtime
