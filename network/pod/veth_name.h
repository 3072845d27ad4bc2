// The node-side veth name of a pod: "veth" + 11 hex digits of a hash of the pod UID. Derived,
// not stored, so teardown and garbage collection find it after an agent restart, and 15
// characters long (IFNAMSIZ - 1), which tells it apart from CNI's 12-character veth names.
#pragma once

#include <string>

namespace nodeagent::network {

std::string veth_name_for_pod(const std::string& pod_uid);
// True for names veth_name_for_pod() can produce.
bool is_pod_veth_name(const std::string& name);

}  // namespace nodeagent::network
