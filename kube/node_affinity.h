// A pod's required node placement, as kubelet's admission checks it (the scheduler's
// NodeAffinity filter, k8s.io/component-helpers/scheduling/corev1/nodeaffinity): every
// spec.nodeSelector pair, and one of the terms of
// spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution. The affinity is
// kept as raw JSON in the pod (round trips), so it is read here, with the API server's field
// errors for what it would have refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/field_error.h"
#include "kube/types.h"

namespace nodeagent::kube {

struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // In | NotIn | Exists | DoesNotExist | Gt | Lt
  std::vector<std::string> values;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;  // node labels
  std::vector<NodeSelectorRequirement> match_fields;       // node fields (metadata.name only)
};

struct RequiredNodeAffinity {
  std::vector<NodeSelectorTerm> terms;  // ORed; the requirements of a term are ANDed
};

struct ParsedNodeAffinity {
  std::optional<RequiredNodeAffinity> required;  // absent: no required node affinity
  ErrorList errors;                              // what validation refuses, with field paths
};

// Reads the required node affinity out of `affinity` (spec.affinity as raw JSON; "" = none).
ParsedNodeAffinity parse_required_node_affinity(const RawJson& affinity);

struct NodeIdentity {
  std::string name;
  StringMap labels;
};

// Whether the node satisfies the pod's nodeSelector and required node affinity. A pod whose
// affinity does not parse matches nothing (validation reports it first).
bool matches_node_selector_and_affinity(const Pod& pod, const NodeIdentity& node);

}  // namespace nodeagent::kube
