// The files of a configMap or secret volume (or projected source), after kubelet's
// configmap.MakePayload and secret.MakePayload: every key when there are no items, else each
// item's key at its path with its mode (or the default mode). A key the object lacks is an
// error, in kubelet's words, unless the source is optional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kube/object_source.h"
#include "kube/types.h"
#include "util/result.h"
#include "volumes/atomic/payload.h"

namespace nodeagent::volumes {

[[nodiscard]] Result<Payload> config_map_payload(const std::vector<kube::KeyToPath>& items, const kube::ConfigMap& cm,
                                                 int32_t default_mode, bool optional);
[[nodiscard]] Result<Payload> secret_payload(const std::vector<kube::KeyToPath>& items, const kube::Secret& secret,
                                             int32_t default_mode, bool optional);

// The object a volume reads: a missing one is an empty object when the source is optional
// (kubelet mounts an empty volume), else the source's NotFound error (`configmap "x" not found`).
[[nodiscard]] Result<kube::ConfigMap> fetch_config_map(const kube::ObjectSource* objects, const std::string& ns,
                                                       const std::string& name, bool optional);
[[nodiscard]] Result<kube::Secret> fetch_secret(const kube::ObjectSource* objects, const std::string& ns,
                                                const std::string& name, bool optional);

}  // namespace nodeagent::volumes
