// JSON / YAML manifests -> typed Kubernetes objects, with the API server's defaults applied.
// Errors name the object and every bad field:
//   pod default/web: spec.containers[1].ports[0].containerPort: expected integer, got string
// Fields the model does not know are not dropped silently: they come back as warnings,
//   unknown field "spec.containers[0].imagePullPolcy"
// Validation (validation.h) is a separate step.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::kube {

using Object = std::variant<Pod, Service, EndpointSlice, Event, ConfigMap, Secret, PersistentVolume, PersistentVolumeClaim>;

template <typename T>
struct Decoded {
  T object;
  std::vector<std::string> warnings;  // unknown fields, one message each
};

// One document; apiVersion/kind must be v1 Pod, v1 Service, discovery.k8s.io/v1 EndpointSlice,
// v1 Event (events.k8s.io is not supported), v1 ConfigMap, v1 Secret, v1 PersistentVolume or
// v1 PersistentVolumeClaim.
Result<Decoded<Object>> decode_object(const nlohmann::json& doc);
Result<Decoded<Pod>> decode_pod(const nlohmann::json& doc);
Result<Decoded<Service>> decode_service(const nlohmann::json& doc);
Result<Decoded<EndpointSlice>> decode_endpoint_slice(const nlohmann::json& doc);
Result<Decoded<Event>> decode_event(const nlohmann::json& doc);
// A PodStatus on its own (the agent's <root>/pods/<uid>/status.json files). Field paths start
// at "status.": "status.containerStatuses[0].restartCount: expected integer, got string".
Result<Decoded<PodStatus>> decode_pod_status(const nlohmann::json& status);
Result<Decoded<ConfigMap>> decode_config_map(const nlohmann::json& doc);
Result<Decoded<Secret>> decode_secret(const nlohmann::json& doc);
Result<Decoded<PersistentVolume>> decode_persistent_volume(const nlohmann::json& doc);
Result<Decoded<PersistentVolumeClaim>> decode_persistent_volume_claim(const nlohmann::json& doc);

// Manifest text: YAML (multi-document) or JSON; `kind: List` / `PodList` etc. are flattened to
// their items. The first bad document fails the whole text (its error names it).
Result<std::vector<Decoded<Object>>> decode_manifests(std::string_view text);

// "pod", "service", "configmap", "persistentvolumeclaim", ... for messages about an object.
std::string kind_of(const Object& object);
const ObjectMeta& metadata_of(const Object& object);

}  // namespace nodeagent::kube
