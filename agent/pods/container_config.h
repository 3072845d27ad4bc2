// Turns one container of a v1 Pod into the runtime's ContainerConfig, as kubelet's
// kuberuntime (generateContainerConfig) does for CRI: command and args against the image's
// ENTRYPOINT/CMD, environment with $(VAR) expansion and downward-API references, security
// context, resources and cgroup, mounts, labels and the CRI log path. Pure: every input from the
// node (sandbox paths, image config, mounts prepared by the volume manager) is passed in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/downward_api.h"
#include "kube/object_source.h"
#include "kube/types.h"
#include "agent/pods/service_env.h"
#include "util/result.h"
#include "runtime/sandbox.h"
#include "runtime/types.h"

namespace nodeagent::pods {

struct ContainerContext {
  std::string node_name;
  std::string container_id;          // the containerd id chosen for this attempt
  uint32_t attempt = 0;
  bool init = false;
  runtime::ImageInfo image;
  std::string image_ref;             // normalised reference of container.image
  runtime::SandboxInfo sandbox;
  std::string hostname;
  std::string pod_ip;
  std::vector<std::string> pod_ips;
  std::string host_ip;
  std::string cgroups_path;          // linux.cgroupsPath, as the cgroup manager names it; "" = none
  std::string log_path;              // CRI log file of this attempt
  std::vector<runtime::Mount> mounts;  // volumes, /etc/hosts, resolv.conf, termination log
  int64_t node_allocatable_cpu_millis = 0;
  int64_t node_allocatable_memory_bytes = 0;
  EnvPairs service_env;              // service_env_vars() for the pod, when the container starts
  const kube::ObjectSource* objects = nullptr;  // ConfigMaps and Secrets for env references
  std::optional<std::vector<std::string>> env;  // build_env()'s result when the caller has it
  int64_t min_oom_score_adj = -1000;  // what the node can set (runtime/oci/oom_score.h)
};

// Image ENTRYPOINT/CMD vs Kubernetes command/args (kubelet's rules):
//  command set          -> command + args
//  only args set        -> image ENTRYPOINT + args
//  neither              -> image ENTRYPOINT + image CMD
std::vector<std::string> resolve_argv(const kube::Container& c, const runtime::ImageConfig& image);

// The environment in the order the process sees it: image env first, then the container's
// env (later wins), with $(VAR) expanded against the variables defined before and the Service
// variables, then the Service variables the container does not define itself (kubelet's
// makeEnvironmentVariables). envFrom variables come first, sorted, and count as the container's
// own. A reference that cannot be resolved (env_objects.h) is an error in kubelet's words: the
// caller reports it as CreateContainerConfigError. Warnings for skipped envFrom keys
// (InvalidEnvironmentVariableNames) go to `events` when given.
Result<std::vector<std::string>> build_env(const kube::Pod& pod, const kube::Container& c, const ContainerContext& ctx,
                                           std::vector<std::string>* events = nullptr);

// What the downward API (kube/downward_api.h) needs of the context: node name, IPs, allocatable.
kube::DownwardApiContext downward_api_context(const ContainerContext& ctx);

Result<runtime::ContainerConfig> build_container_config(const kube::Pod& pod, const kube::Container& c,
                                                        const ContainerContext& ctx);

// oom_score_adj by QoS class, as kubelet's GetContainerOOMScoreAdjust.
int64_t oom_score_adj(const kube::Pod& pod, const kube::Container& c, int64_t node_memory_bytes);

}  // namespace nodeagent::pods
