// The labels a node carries from the start, as kubelet sets them (initialNode): its host name,
// OS and architecture (stable and beta keys), then --node-labels over them. Admission matches
// pods' nodeSelector and node affinity against these; the Node object will carry them.
#pragma once

#include <string>
#include <string_view>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

// Go's GOARCH for a uname(2) machine name: x86_64 -> amd64, aarch64 -> arm64, ...
std::string go_arch(std::string_view machine);

// kubernetes.io/hostname=<node>, kubernetes.io/os=linux, kubernetes.io/arch=<arch>, the
// beta.kubernetes.io/ twins, and `extra` (from --node-labels) on top.
StringMap node_labels(const std::string& node_name, std::string_view machine, const StringMap& extra);

// Parses and checks --node-labels "k=v,k2=v2" items as kubelet does: keys are qualified names,
// values label values, and keys in the kubernetes.io / k8s.io namespaces are limited to the ones
// kubelet may set itself. Errors name the flag.
Result<StringMap> parse_node_labels(const std::vector<std::string>& items);

}  // namespace nodeagent::kube
