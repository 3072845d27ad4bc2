// Container environment from objects, as kubelet's makeEnvironmentVariables reads them:
// env[].valueFrom.configMapKeyRef / secretKeyRef and envFrom (configMapRef / secretRef with a
// prefix). A missing object or key that is not optional is an error in kubelet's words, which
// the caller reports as CreateContainerConfigError; the container starts once it appears.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/pods/service_env.h"
#include "kube/object_source.h"
#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::pods {

// The variables of one envFrom source, sorted by name; keys that are not valid variable names
// (after the prefix) are left out and listed in `skipped_event` as kubelet's
// InvalidEnvironmentVariableNames warning. No value (nullopt) for a missing optional source.
struct EnvFromResult {
  EnvPairs vars;
  std::string skipped_event;  // "" when nothing was skipped
};
[[nodiscard]] Result<std::optional<EnvFromResult>> env_from_source(const kube::ObjectSource& objects,
                                                                   const std::string& ns,
                                                                   const kube::EnvFromSource& source);

// The value of a configMapKeyRef / secretKeyRef; nullopt when it is optional and missing.
[[nodiscard]] Result<std::optional<std::string>> config_map_key_value(const kube::ObjectSource& objects,
                                                                      const std::string& ns,
                                                                      const kube::ConfigMapKeySelector& ref);
[[nodiscard]] Result<std::optional<std::string>> secret_key_value(const kube::ObjectSource& objects,
                                                                  const std::string& ns,
                                                                  const kube::SecretKeySelector& ref);

}  // namespace nodeagent::pods
