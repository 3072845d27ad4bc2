// PodSyncer: the PodSyncHandler that makes a pod real, after kubelet's kuberuntime SyncPod.
// Each sync: observe the runtime (releasing exited tasks) → admit (node name, selector and
// affinity, OS, sysctls) → adopt a sandbox left by an earlier run → activeDeadlineSeconds →
// plan (pod_actions.h, with the probe results) → execute numbered steps:
//   1. kill what the plan says (sidecars of a finished pod, containers of a failed one, failed
//      liveness/startup probes)
//   2. sandbox, when the plan says so: cgroup, namespaces, network, pod files
//   3. volumes (also on each sync of a running pod: content from objects follows them)
//   4. start containers in plan order (image per pull policy, config with Service env, create,
//      start, postStart)
//   5. garbage-collect old attempts, publish status
// Termination stops containers with the grace period, step by step without waiting: app
// containers together, then sidecars last-first; preStop before each signal, SIGKILL past the
// deadline; the pod worker calls again on a wake or a timer. Cleanup releases everything the
// pod held on the node.
#pragma once

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/pods/backoff.h"
#include "agent/pods/observe.h"
#include "agent/pods/pod_actions.h"
#include "agent/pods/pod_workers.h"
#include "agent/pods/ports.h"
#include "agent/pods/service_env.h"
#include "util/clock.h"
#include "network/podfiles/pod_files.h"
#include "runtime/runtime.h"
#include "runtime/sandbox.h"
#include "volumes/manager/volume_manager.h"

namespace nodeagent::pods {

struct SyncerConfig {
  std::string node_name;
  // The node's labels, which admission matches nodeSelector and required node affinity against
  // (kubernetes.io/hostname, os, arch and --node-labels; see node_labels.h).
  kube::StringMap node_labels;
  PodPaths paths;
  std::string cluster_domain = "cluster.local";
  network::NodeFacts node_facts;          // for /etc/hosts and resolv.conf
  std::string host_ip;                    // status.hostIP when the network module gives none
  // The node's network namespace, which hostNetwork pods join: the agent's own, named by path
  // because containerd and its shims may live in another one (a test's node netns).
  std::string node_netns_path;
  int64_t log_max_size_bytes = 10 * 1024 * 1024;
  int log_max_files = 5;
  int64_t node_cpu_millis = 0;            // allocatable, for resourceFieldRef without limits
  int64_t node_memory_bytes = 0;
  int64_t min_oom_score_adj = -1000;      // below this runc cannot set a container's score
};

struct SyncerDeps {
  runtime::ImageService* images = nullptr;
  runtime::ContainerService* containers = nullptr;
  runtime::SandboxManager* sandboxes = nullptr;
  volumes::VolumeManager* volumes = nullptr;
  PodNetworkPort* network = nullptr;      // nullptr: pods get lo only
  PodCgroupPort* cgroups = nullptr;       // nullptr: no pod cgroups
  PodStatusPort* status = nullptr;
  EventPort* events = nullptr;
  const ServiceListerPort* services = nullptr;  // nullptr: no Service environment variables
  const kube::ObjectSource* objects = nullptr;  // ConfigMaps/Secrets for env; nullptr: none exist
  ProbePort* probes = nullptr;            // nullptr: no probes run (kubelet's defaults apply)
  LifecycleHookPort* hooks = nullptr;     // nullptr: postStart/preStop are not run
  const Clock* clock = nullptr;
};

class PodSyncer final : public PodSyncHandler {
 public:
  PodSyncer(SyncerConfig config, SyncerDeps deps);

  SyncResult sync_pod(const PodPtr& pod) override;
  Result<TerminateProgress> terminate_pod(const PodPtr& pod) override;
  Status cleanup_pod(const PodPtr& pod) override;

 private:
  struct PodRecord {
    bool admitted = false;
    std::string rejection_reason, rejection_message;
    bool finished = false;               // terminal: nothing starts again
    bool sandbox_torn_down = false;
    runtime::SandboxInfo sandbox;
    bool sandbox_ready = false;
    PodNetworkInfo net;
    bool cgroup_ready = false;           // the pod cgroup exists: containers get a cgroupsPath
    std::string hostname;
    network::PodFilePaths files;
    std::map<std::string, std::string> image_ids;  // image ref -> config digest
    // Containers terminate_pod has begun to stop, by id.
    struct Stopping {
      int signal = SIGTERM;
      bool signalled = false;
      bool killed = false;
      Clock::TimePoint deadline;  // end of the grace period, then of each SIGKILL re-check
    };
    std::map<std::string, Stopping> stopping;
    Clock::TimePoint next_storage_check;  // emptyDir sizeLimit measurement

  };

  PodRecord& record(const std::string& uid);
  // Rejects pods the node cannot run (windows, unsafe sysctls); fills reason/message.
  void admit(const kube::Pod& pod, PodRecord& rec);
  Status ensure_sandbox(const kube::Pod& pod, PodRecord& rec);
  Result<runtime::ImageInfo> ensure_image(const kube::Pod& pod, const kube::Container& c, PodRuntimeState& state,
                                          SyncResult& result);
  volumes::PodVolumeContext volume_context(const PodRecord& rec) const;
  Status start_container(const kube::Pod& pod, const kube::Container& c, const struct ContainerToStart& what,
                         PodRecord& rec, PodRuntimeState& state, SyncResult& result);
  // `message`: the Killing event's, "" = "Stopping container <name>" (kubelet's killContainer).
  Status stop_container(const kube::Pod& pod, const ContainerInstance& inst, std::chrono::seconds grace,
                        const std::string& message = "");
  struct PreparedStop {
    runtime::ContainerService::StopRequest request;
    std::chrono::seconds grace;  // what the preStop hook left of the grace period
  };
  PreparedStop prepare_stop(const kube::Pod& pod, const ContainerInstance& inst, std::chrono::seconds grace,
                            const std::string& message = "");
  Result<TerminateProgress> advance_stop(const kube::Pod& pod, PodRecord& rec,
                                         const std::vector<const ContainerInstance*>& wave);
  void garbage_collect(const PodRuntimeState& state);
  std::chrono::seconds grace_period(const kube::Pod& pod) const;
  std::chrono::milliseconds volume_retry(const std::string& uid);  // records a failure; the delay to retry after
  // The parts of sync_pod, in their order.
  void adopt_sandbox(const kube::Pod& pod, PodRecord& rec);
  bool enforce_active_deadline(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state, SyncResult& result);
  bool enforce_empty_dir_limits(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state, SyncResult& result);
  void fail_pod(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state, const std::string& reason,
                const std::string& message);
  bool execute(const kube::Pod& pod, const PodActions& actions, PodRecord& rec, PodRuntimeState& state,
               SyncResult& result);
  // Fills image ids (remembering those read back from the image store) and stores the status.
  void publish(const kube::Pod& pod, PodRuntimeState& state, PodRecord& rec);
  void event(const kube::Pod& pod, const std::string& type, const std::string& reason, const std::string& msg);

  SyncerConfig config_;
  SyncerDeps deps_;
  Backoff crash_backoff_;
  Backoff pull_backoff_;
  Backoff sandbox_backoff_;
  Backoff volume_backoff_;  // failed volume set-ups, per pod
  std::mutex mu_;  // guards records_ (each pod's record is used by its own worker only)
  std::map<std::string, PodRecord> records_;
};

}  // namespace nodeagent::pods
