// The files of a downwardAPI volume (or projected source), after kubelet's
// downwardapi.CollectData: each item's fieldRef or resourceFieldRef value (kube/downward_api.h)
// at its path, with its mode or the default mode. In volumes a resourceFieldRef must name its
// container.
#pragma once

#include <cstdint>
#include <vector>

#include "kube/downward_api.h"
#include "kube/types.h"
#include "util/result.h"
#include "volumes/atomic/payload.h"

namespace nodeagent::volumes {

[[nodiscard]] Result<Payload> downward_api_payload(const std::vector<kube::DownwardAPIVolumeFile>& items,
                                                   const kube::Pod& pod, int32_t default_mode,
                                                   const kube::DownwardApiContext& ctx);

}  // namespace nodeagent::volumes
