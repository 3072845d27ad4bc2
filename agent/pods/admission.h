// The node-level admission of kubelet's predicateAdmitHandler (pkg/kubelet/lifecycle) over the
// pods admitted before: does the new pod fit the node's allocatable resources (pods, cpu,
// memory, ephemeral-storage, huge pages) and are its host ports free? Checked in
// scheduler.AdmissionCheck's order; the first failure is the answer, in kubelet's words:
//   OutOfcpu     "Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000"
//   NodePorts    "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"
// The per-pod predicates (node name, selector and affinity, OS, sysctls) are the syncer's
// (pod_syncer.cc admit()). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/pod_resources.h"
#include "kube/types.h"

namespace nodeagent::pods {

struct NodeAllocatable {
  int max_pods = 110;
  // Allocatable per resource in milli units; a resource the node does not report (an empty
  // map in tests, or an extended resource) is not checked, as kubelet drops requests of
  // extended resources the node does not know.
  kube::MilliAmounts resources;
};

struct Rejection {
  std::string reason;
  std::string message;
};

// `admitted`: the active pods admitted before (not finished).
std::optional<Rejection> check_node_admission(const kube::Pod& pod, const std::vector<const kube::Pod*>& admitted,
                                              const NodeAllocatable& node);

}  // namespace nodeagent::pods
