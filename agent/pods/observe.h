// Reads a pod's containers back from the runtime (by the agent's labels) into PodRuntimeState:
// every attempt per container name, ordered by attempt, with termination messages of exited
// ones. Used on every sync, so an agent restart loses nothing that containerd still has.
#pragma once

#include <string>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"
#include "util/result.h"
#include "runtime/runtime.h"
#include "util/pod_state_dir.h"

namespace nodeagent::pods {

// Where kubelet-style per-pod files live: <root>/pods/<uid>/...
struct PodPaths {
  std::string root_dir;
  std::string pod_log_dir;

  // The per-pod state layout (util/pod_state_dir.h) under root_dir.
  PodStateDir state() const { return PodStateDir(root_dir); }
  std::string pod_dir(const std::string& uid) const { return state().pod_dir(uid); }
  std::string etc_hosts_dir(const std::string& uid) const { return state().etc_dir(uid); }
  // The file mounted at terminationMessagePath for one attempt.
  std::string termination_log(const std::string& uid, const std::string& container, uint32_t attempt) const {
    return state().termination_log(uid, container, attempt);
  }
  std::string log_dir(const kube::Pod& pod) const {
    return pod_log_dir + "/" + pod.metadata.namespace_ + "_" + pod.metadata.name + "_" + pod.metadata.uid;
  }
  std::string log_path(const kube::Pod& pod, const std::string& container, uint32_t attempt) const {
    return log_dir(pod) + "/" + container + "/" + std::to_string(attempt) + ".log";
  }
};

Result<PodRuntimeState> observe_pod(runtime::ContainerService& containers, const kube::Pod& pod, const PodPaths& paths);

// The termination message of an exited instance: the file's content (at most 4096 bytes), or,
// with FallbackToLogsOnError and a failed, silent container, the tail of its log (80 lines,
// 2048 bytes), as kubelet does.
std::string read_termination_message(const kube::Container& c, const ContainerInstance& inst,
                                     const std::string& termination_file, const std::string& log_path);

}  // namespace nodeagent::pods
