// SandboxManagerImpl: ensure / find / remove pod namespaces (see sandbox_manager_impl.h).
#include "runtime/sandbox/sandbox_manager_impl.h"

#include <filesystem>
#include <fstream>

#include "util/atomic_file.h"
#include "util/log.h"
#include "runtime/sandbox/namespace_creator.h"
#include "runtime/sandbox/ns_mounts.h"
#include "runtime/sandbox/pid_holder.h"
#include "util/pod_state_dir.h"

namespace nodeagent::runtime {
namespace {

namespace fs = std::filesystem;
using sandbox::is_namespace_mount;

constexpr const char* kHolderPidFile = "holder.pid";

bool valid_uid(const std::string& uid) { return valid_pod_uid(uid); }

int read_holder_pid(const std::string& dir) {
  std::ifstream in(dir + "/" + kHolderPidFile);
  int pid = 0;
  if (!(in >> pid)) return 0;
  return pid;
}

Status write_holder_pid(const std::string& dir, int pid) {
  const std::string path = dir + "/" + kHolderPidFile;
  // Atomic: a reader never sees a half-written pid.
  return write_file_atomically(path, std::to_string(pid) + "\n", AtomicWriteOptions{.mode = 0644});
}

}  // namespace

SandboxManagerImpl::SandboxManagerImpl(std::string root_dir, std::vector<std::string> holder_argv)
    : root_dir_(std::move(root_dir)), holder_argv_(std::move(holder_argv)) {}

std::string SandboxManagerImpl::ns_dir(const std::string& pod_uid) const {
  return PodStateDir(root_dir_).ns_dir(pod_uid);
}

Result<SandboxInfo> SandboxManagerImpl::ensure_sandbox(const SandboxConfig& config) {
  if (!valid_uid(config.pod_uid)) return invalid("sandbox: pod_uid: '" + config.pod_uid + "' is not a valid uid");
  std::lock_guard lock(mu_);
  const std::string dir = ns_dir(config.pod_uid);
  auto log = log::get("runtime");
  auto prepared = sandbox::make_shared_mount_of_its_own(dir);
  if (!prepared.ok()) return prepared.error().wrap("sandbox uid=" + config.pod_uid);

  // Only what is missing is created, so a repeated call (or one after a crash halfway) is safe
  // and never replaces a namespace that running containers already joined.
  sandbox::NamespaceRequest request;
  request.dir = dir;
  request.net = !config.host_network && !is_namespace_mount(dir + "/net");
  request.ipc = !config.host_ipc && !is_namespace_mount(dir + "/ipc");
  // kubelet: hostNetwork implies the host's UTS namespace (the pod sees the node's hostname).
  request.uts = !config.host_network && !is_namespace_mount(dir + "/uts");
  request.hostname = config.hostname;
  if (request.net || request.ipc || request.uts) {
    auto created = sandbox::create_namespaces(request);
    if (!created.ok()) return created.error().wrap("sandbox uid=" + config.pod_uid);
    log->info("created namespaces uid={} net={} ipc={} uts={}", config.pod_uid, request.net, request.ipc, request.uts);
  }
  if (config.share_process_namespace && !config.host_pid) {
    auto holder = ensure_pid_holder(dir);
    if (!holder.ok()) return holder.error().wrap("sandbox uid=" + config.pod_uid);
  }
  return read_sandbox(dir);
}

Status SandboxManagerImpl::ensure_pid_holder(const std::string& dir) {
  const std::string pidns = dir + "/pid";
  const int old_pid = read_holder_pid(dir);
  if (is_namespace_mount(pidns) && sandbox::holder_is_alive(old_pid, sandbox::namespace_inode(pidns))) {
    return ok_status();
  }
  // The holder died (or never ran): when the init of a pid namespace dies the kernel kills
  // everything in it and no process can enter it any more, so a new namespace replaces it.
  if (is_namespace_mount(pidns)) NA_RETURN_IF_ERROR(sandbox::unmount_all_under(pidns));
  NA_ASSIGN_OR_RETURN(const int pid, sandbox::spawn_pid_namespace_holder(holder_argv_));
  const std::string proc_ns = "/proc/" + std::to_string(pid) + "/ns/pid";
  auto status = sandbox::bind_namespace(proc_ns, pidns);
  if (status.ok()) status = write_holder_pid(dir, pid);
  if (!status.ok()) {
    sandbox::stop_holder(pid, sandbox::namespace_inode(proc_ns)).ignore_error();
    return status;
  }
  log::get("runtime")->info("started pid namespace holder pid={} dir={}", pid, dir);
  return ok_status();
}

Result<SandboxInfo> SandboxManagerImpl::read_sandbox(const std::string& dir) const {
  SandboxInfo info;
  info.dir = dir;
  if (is_namespace_mount(dir + "/net")) info.netns_path = dir + "/net";
  if (is_namespace_mount(dir + "/ipc")) info.ipcns_path = dir + "/ipc";
  if (is_namespace_mount(dir + "/uts")) info.utsns_path = dir + "/uts";
  if (is_namespace_mount(dir + "/pid")) {
    const int pid = read_holder_pid(dir);
    if (sandbox::holder_is_alive(pid, sandbox::namespace_inode(dir + "/pid"))) {
      info.pidns_path = dir + "/pid";
      info.holder_pid = pid;
    }
  }
  return info;
}

Result<SandboxInfo> SandboxManagerImpl::find_sandbox(const std::string& pod_uid) {
  if (!valid_uid(pod_uid)) return invalid("sandbox: pod_uid: '" + pod_uid + "' is not a valid uid");
  std::lock_guard lock(mu_);
  const std::string dir = ns_dir(pod_uid);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return not_found("sandbox uid=" + pod_uid + ": no " + dir);
  NA_ASSIGN_OR_RETURN(auto info, read_sandbox(dir));
  if (info.netns_path.empty() && info.ipcns_path.empty() && info.utsns_path.empty() && info.pidns_path.empty()) {
    return not_found("sandbox uid=" + pod_uid + ": no live namespace under " + dir);
  }
  return info;
}

Status SandboxManagerImpl::remove_sandbox(const std::string& pod_uid) {
  if (!valid_uid(pod_uid)) return invalid("sandbox: pod_uid: '" + pod_uid + "' is not a valid uid");
  std::lock_guard lock(mu_);
  const std::string dir = ns_dir(pod_uid);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return ok_status();
  // The holder first, while its namespace file still tells a live holder from a reused pid.
  const int pid = read_holder_pid(dir);
  if (pid > 0) {
    auto stopped = sandbox::stop_holder(pid, sandbox::namespace_inode(dir + "/pid"));
    if (!stopped.ok()) return stopped.error().wrap("sandbox uid=" + pod_uid);
  }
  auto unmounted = sandbox::unmount_all_under(dir);
  if (!unmounted.ok()) return unmounted.error().wrap("sandbox uid=" + pod_uid);
  fs::remove_all(dir, ec);
  if (ec) return internal("sandbox uid=" + pod_uid + ": remove " + dir + ": " + ec.message());
  // The pod dir itself belongs to the pod worker (volumes live there too): remove it only if
  // nothing else is left in it.
  fs::remove(fs::path(dir).parent_path(), ec);
  log::get("runtime")->info("removed sandbox uid={}", pod_uid);
  return ok_status();
}

std::unique_ptr<SandboxManager> make_sandbox_manager(std::string root_dir, std::vector<std::string> holder_argv) {
  return std::make_unique<SandboxManagerImpl>(std::move(root_dir), std::move(holder_argv));
}

}  // namespace nodeagent::runtime
