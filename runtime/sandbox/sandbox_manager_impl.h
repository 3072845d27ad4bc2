// The Linux SandboxManager (runtime/sandbox.h): pod namespaces pinned by bind mounts under
// <root-dir>/pods/<uid>/ns, and a detached pid-namespace holder for shareProcessNamespace.
//
// On-disk layout of one sandbox (all that find_sandbox needs after an agent restart):
//   <root-dir>/pods/<uid>/ns/            a shared mount of its own (see ns_mounts.cc)
//   <root-dir>/pods/<uid>/ns/net|ipc|uts bind mounts of the namespace files
//   <root-dir>/pods/<uid>/ns/pid         bind mount of the holder's pid namespace
//   <root-dir>/pods/<uid>/ns/holder.pid  the holder's pid (decimal, as seen from the host)
// A pod with host network, IPC and PID has no namespace of its own: find_sandbox reports
// NotFound for it and ensure_sandbox (cheap, idempotent) is the way to get its SandboxInfo.
// The holder is started by the calling process and stays in its cgroup; the agent's unit runs
// with KillMode=process so that stopping the agent does not kill the holders.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/sandbox.h"

namespace nodeagent::runtime {

class SandboxManagerImpl final : public SandboxManager {
 public:
  // `holder_argv`: how to start the pid holder, e.g. {"/usr/bin/nodeagent-pause"} or
  // {"/usr/bin/nodeagent", "pause"}; argv[0] must be absolute.
  SandboxManagerImpl(std::string root_dir, std::vector<std::string> holder_argv);

  Result<SandboxInfo> ensure_sandbox(const SandboxConfig& config) override;
  Status remove_sandbox(const std::string& pod_uid) override;
  Result<SandboxInfo> find_sandbox(const std::string& pod_uid) override;

 private:
  std::string ns_dir(const std::string& pod_uid) const;
  Status ensure_pid_holder(const std::string& dir);
  Result<SandboxInfo> read_sandbox(const std::string& dir) const;

  const std::string root_dir_;
  const std::vector<std::string> holder_argv_;
  std::mutex mu_;  // serialises changes; callers are per-pod workers, so contention is rare
};

std::unique_ptr<SandboxManager> make_sandbox_manager(std::string root_dir, std::vector<std::string> holder_argv);

}  // namespace nodeagent::runtime
