// Internal to validation: checks shared by the pod, container and service validators.
#pragma once

#include <set>
#include <string>

#include "kube/field_error.h"
#include "kube/types.h"

namespace nodeagent::kube::detail {

enum class ContainerKind { kApp, kInit };

// volumes: names of the pod's volumes, which volumeMounts must refer to; spec: the pod's
// terminationGracePeriodSeconds (sleep hooks) and os (stopSignal).
ErrorList validate_container(const Container& c, const std::string& path, ContainerKind kind,
                             const std::set<std::string>& volumes, const PodSpec& spec);

ErrorList validate_labels(const StringMap& labels, const std::string& path);
ErrorList validate_port_num_or_name(const IntOrString& port, const std::string& path);

inline void append(ErrorList& to, ErrorList from) {
  for (auto& e : from) to.push_back(std::move(e));
}

}  // namespace nodeagent::kube::detail
