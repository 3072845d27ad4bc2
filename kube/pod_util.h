// Small pod facts the kubelet logic asks for everywhere: names, hostname, phase (QoS: qos.h).
#pragma once

#include <string>

#include "kube/types.h"

namespace nodeagent::kube {

// "ns/name", the key used in logs (pod=ns/name) and events.
std::string full_name(const ObjectMeta& meta);
std::string full_name(const Pod& pod);

// The pod's hostname: spec.hostname, else the name cut to 63 characters with trailing '-' and
// '.' removed.
std::string pod_hostname(const Pod& pod);

// The init or app container named `name`, nullptr if the pod has none.
const Container* find_container(const Pod& pod, const std::string& name);

// Succeeded or Failed: the pod will not run again.
bool is_terminal(const PodStatus& status);

// Annotation kubernetes.io/config.source == "file" (or api/http for other sources).
bool is_static_pod(const Pod& pod);

}  // namespace nodeagent::kube
