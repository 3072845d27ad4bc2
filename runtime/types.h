// The runtime contract, shaped like CRI: the agent turns Kubernetes objects into these plain
// structs (agent/pods/container_config), and runtime/ turns them into containerd calls and OCI specs.
// Nothing here knows about v1 Pods.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nodeagent::runtime {

using Labels = std::map<std::string, std::string>;
using TimePoint = std::chrono::system_clock::time_point;

// What an image's config says about how to run it (OCI image config, "config" object).
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // KEY=VALUE
  std::string working_dir;
  std::string user;
  std::string stop_signal;       // e.g. "SIGQUIT"; empty = SIGTERM
  Labels labels;
};

struct ImageInfo {
  std::string id;                        // config digest, "sha256:..."
  std::vector<std::string> repo_tags;    // "docker.io/library/busybox:latest"
  std::vector<std::string> repo_digests; // "docker.io/library/busybox@sha256:..."
  int64_t size = 0;                      // compressed bytes of all layers
  std::string chain_id;                  // snapshot key of the top layer (rootfs parent)
  ImageConfig config;
};

struct RegistryAuth {
  std::string username;
  std::string password;
  std::string identity_token;
};

struct Mount {
  std::string container_path;
  std::string host_path;
  std::string type = "bind";      // bind | tmpfs | proc | ...
  bool readonly = false;
  std::string propagation;        // "" (rprivate) | "rslave" | "rshared"
  std::vector<std::string> extra_options;
};

// A device node the container gets at container_path (CRI's Device; kubelet's volumeDevices):
// runc creates the node from type/major/minor, and the cgroup lets the container use it with
// `permissions` (cgroup access letters "r", "w", "m"). The caller stats host_path.
struct Device {
  std::string container_path;
  std::string host_path;
  char type = 'b';  // 'b' block | 'c' character
  int64_t major = 0;
  int64_t minor = 0;
  std::string permissions = "rwm";
  uint32_t file_mode = 0660;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// Namespaces the container joins by path; an empty path means "a new one" (except network,
// where the agent always gives one unless host networking is asked for).
struct NamespacePaths {
  std::string network;
  std::string ipc;
  std::string uts;
  std::string pid;     // empty: the container gets its own pid namespace
  bool host_network = false;
  bool host_ipc = false;
  bool host_pid = false;
};

struct Resources {
  int64_t cpu_shares = 0;            // 0 = unset; from requests.cpu (millicores * 1024 / 1000, min 2)
  int64_t cpu_quota = 0;             // 0 = unlimited; from limits.cpu
  int64_t cpu_period = 100000;
  int64_t memory_limit_bytes = 0;    // 0 = unlimited
  int64_t oom_score_adj = 0;
  std::string cgroups_path;          // cgroupfs: "/kubepods/burstable/pod<uid>/<container id>"
};

struct SecurityConfig {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
  bool read_only_rootfs = false;
  bool no_new_privileges = false;
  std::vector<std::string> capabilities_add;   // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL" allowed
  std::vector<std::string> capabilities_drop;
  std::map<std::string, std::string> sysctls;
};

struct ContainerConfig {
  std::string id;                      // containerd container id (unique, agent-chosen)
  std::string image_ref;               // as resolved, e.g. "docker.io/library/busybox:latest"
  ImageInfo image;
  std::vector<std::string> args;       // final argv (agent resolved command/args vs image)
  std::vector<std::string> env;        // final KEY=VALUE list, in order
  std::string working_dir;
  std::string hostname;
  NamespacePaths namespaces;
  std::vector<Mount> mounts;           // besides the defaults (/proc, /dev, /sys, ...)
  std::vector<Device> devices;         // besides the default /dev nodes (volumeDevices)
  Resources resources;
  SecurityConfig security;
  Labels labels;                       // stored on the containerd container (adoption reads them)
  std::string log_path;                // CRI-format log file for stdout/stderr; "" = discard
  int64_t log_max_size_bytes = 10 * 1024 * 1024;
  int log_max_files = 5;
  bool tty = false;
};

enum class ContainerStateKind { kCreated, kRunning, kExited, kUnknown };

struct ContainerState {
  std::string id;
  ContainerStateKind state = ContainerStateKind::kUnknown;
  uint32_t pid = 0;
  int32_t exit_code = 0;
  bool oom_killed = false;
  std::optional<TimePoint> created_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  std::string image_ref;
  Labels labels;
  // Exited, and its task (shim, stdio pipes, logger) still exists: ContainerService::release_exited
  // ends it.
  bool task_held = false;
};

enum class ContainerEventKind { kStarted, kExited, kOOM, kDeleted };

struct ContainerEvent {
  ContainerEventKind kind = ContainerEventKind::kExited;
  std::string container_id;
  uint32_t pid = 0;
  int32_t exit_code = 0;
  std::optional<TimePoint> at;
};

struct ExecResult {
  int32_t exit_code = 0;
  std::string stdout_data;
  std::string stderr_data;
  bool timed_out = false;
};

}  // namespace nodeagent::runtime
