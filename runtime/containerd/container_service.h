// runtime::ContainerService over containerd's gRPC API: containers (OCI spec from runtime/oci,
// rootfs snapshot), tasks (runc v2 shim, binary-logger stdio), stop with grace, exec with
// FIFOs, status from containers + tasks + TaskOOM events.
//
// What containerd does not keep for us is stored as labels with the prefix kInternalLabelPrefix
// on the container (log settings, tty, start time), so that a restarted agent reads the same
// state back; those labels are hidden from ContainerState::labels.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/cgroups/oom_source.h"
#include "runtime/containerd/connection.h"
#include "runtime/containerd/event_stream.h"
#include "runtime/runtime.h"

namespace nodeagent::runtime::ctd {

inline constexpr const char* kInternalLabelPrefix = "io.nodeagent.internal/";
inline constexpr const char* kSpecTypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
inline constexpr const char* kProcessTypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/Process";

struct ContainerServiceOptions {
  std::string snapshotter = "overlayfs";
  std::string runtime = "io.containerd.runc.v2";
  // The nodeagent-logger executable; "" = default_logger_path() (next to the agent binary).
  std::string logger_path;
  // Where exec stdout/stderr FIFOs are made.
  std::string fifo_dir = "/run/nodeagent/exec";
  // Subscribe to TaskOOM events (so that container_status reports oom_killed).
  bool watch_oom_events = true;
  // Asked for a container's OOM kills when no TaskOOM event came (late or lost): the cgroup
  // layer knows how linux.cgroupsPath maps to counters (the agent passes its CgroupManager).
  // nullptr: this machine's cgroupfs, read at the cgroupfs path the spec names.
  std::shared_ptr<cgroups::OomSource> oom_source;
  // How long to wait for exit after SIGKILL before giving up with kDeadlineExceeded.
  std::chrono::seconds kill_timeout{10};
  // Cap on what exec_sync collects per stream (like the CRI plugin's 16 MiB).
  size_t exec_output_limit = 16 << 20;
  // After an exec exits, how long to keep draining output its children may still write.
  std::chrono::milliseconds exec_drain_timeout{2000};
  // What privileged / add "ALL" expand to; empty = the agent's own bounding set (CapBnd).
  std::vector<std::string> available_capabilities;
};

// The capabilities in this process's bounding set (CapBnd of /proc/self/status); empty if unreadable.
std::vector<std::string> own_bounding_capabilities();

// A fresh exec id: unique per call and valid as a containerd identifier (<= 76 chars, [a-z0-9.-_]).
std::string new_exec_id();

// Deletes an exec'd process from its task (after its exit, or to give it up); errors ignored.
void delete_exec_process(Connection& connection, const std::string& id, const std::string& exec_id);

// The containerd filter for list_containers: labels."k"=="v",... (AND), values quoted.
std::string label_filter(const Labels& selector);

class ContainerdContainerService : public ContainerService {
 public:
  ContainerdContainerService(std::shared_ptr<Connection> connection, ContainerServiceOptions options = {});
  ~ContainerdContainerService() override;

  Status create_container(const ContainerConfig& config) override;
  Result<uint32_t> start_container(const std::string& id) override;
  Status stop_container(const std::string& id, int signal, std::chrono::seconds grace) override;
  Status stop_containers(const std::vector<StopRequest>& requests, std::chrono::seconds grace) override;
  Status signal_container(const std::string& id, int signal) override;
  Status remove_container(const std::string& id) override;
  Status release_exited(const std::string& id) override;
  Result<ContainerState> container_status(const std::string& id) override;
  Result<std::vector<ContainerState>> list_containers(const Labels& selector) override;
  Result<ExecResult> exec_sync(const std::string& id, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout) override;
  Result<int32_t> exec_stream(const std::string& id, const std::vector<std::string>& argv,
                              const OutputFn& on_output) override;
  Result<int32_t> exec_interactive(const std::string& id, const std::vector<std::string>& argv, bool tty,
                                   ProcessIO& io) override;
  Status attach_container(const std::string& id, ProcessIO& io) override;

 private:
  using Container = api::containers::Container;
  using Process = ::containerd::v1::types::Process;

  struct ExecOutcome {
    int32_t exit_code = 0;
    bool timed_out = false;
  };
  // exec_sync and exec_stream share this; timeout 0 = none.
  Result<ExecOutcome> run_exec(const std::string& id, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout, const OutputFn& on_output);

  Result<Container> get_container(const std::string& id);
  // The CRI log file the container's output goes to ("" = none), from its labels.
  Result<std::string> log_path_of(const std::string& id);
  // nullopt when the container has no task.
  Result<std::optional<Process>> get_task(const std::string& id);
  Status kill(const std::string& id, const std::string& exec_id, int signal, bool all);
  // Containers.Update of these labels only.
  Status set_labels(const std::string& id, const Labels& labels, const char* action);
  // Tasks.Delete; no error if there is no task.
  Status delete_task(const std::string& id, const char* action);
  // The exit status, kDeadlineExceeded after `timeout`.
  Result<uint32_t> wait(const std::string& id, const std::string& exec_id, std::chrono::milliseconds timeout);
  Status prepare_snapshot(const ContainerConfig& config, const Lease& lease);
  Status remove_snapshot(const std::string& snapshotter, const std::string& key);
  ContainerState to_state(const Container& container, const std::optional<Process>& task);
  bool oom_seen(const std::string& id);

  std::shared_ptr<Connection> connection_;
  ContainerServiceOptions options_;
  std::unique_ptr<ContainerdEventStream> oom_events_;
  std::mutex mu_;
  std::set<std::string> oom_killed_;  // guarded by mu_: ids with a TaskOOM event
};

}  // namespace nodeagent::runtime::ctd
