// The files of a projected volume (kubelet's projected collectData): its configMap, secret,
// downwardAPI and serviceAccountToken sources merged into one payload, the volume's defaultMode
// applying to every source; a later source's path wins over an earlier one's. A
// serviceAccountToken needs a TokenSource (an API server): standalone it is a clear error.
#pragma once

#include "kube/object_source.h"
#include "kube/types.h"
#include "util/result.h"
#include "volumes/atomic/payload.h"
#include "volumes/plugin/token_source.h"
#include "volumes/plugin/volume_plugin.h"

namespace nodeagent::volumes {

[[nodiscard]] Result<Payload> projected_payload(const kube::Pod& pod, const kube::ProjectedVolumeSource& src,
                                                         const kube::ObjectSource* objects, TokenSource* tokens,
                                                         const PodVolumeContext& ctx);

}  // namespace nodeagent::volumes
