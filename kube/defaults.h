// Defaults as the API server applies them on create (pkg/apis/core/v1/defaults.go,
// SetDefaults_Pod / _PodSpec / _Container / _Probe / _Service ..., discovery/v1 defaults), plus
// kubelet's own for manifests: no metadata.namespace means "default". Idempotent: applying them
// to an object that came back from the API changes nothing. decode_*() applies them already.
#pragma once

#include <string>
#include <string_view>

#include "kube/types.h"

namespace nodeagent::kube {

[[nodiscard]] Pod with_defaults(Pod pod);
[[nodiscard]] Service with_defaults(Service service);
[[nodiscard]] EndpointSlice with_defaults(EndpointSlice slice);
[[nodiscard]] Event with_defaults(Event event);
[[nodiscard]] ConfigMap with_defaults(ConfigMap config_map);
[[nodiscard]] Secret with_defaults(Secret secret);
[[nodiscard]] PersistentVolume with_defaults(PersistentVolume volume);
[[nodiscard]] PersistentVolumeClaim with_defaults(PersistentVolumeClaim claim);

// Always for ":latest" or no tag (a digest counts as a tag), IfNotPresent otherwise.
std::string default_image_pull_policy(std::string_view image);

}  // namespace nodeagent::kube
