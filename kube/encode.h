// Typed objects -> JSON exactly as the API server returns them (field names, Go's omitempty
// rules: `"status": {}`, `"lastProbeTime": null`, `"resources": {}`, canonical quantities),
// list objects for `-o json`, and YAML for `-o yaml`. decode(encode(x)) == x.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/decode.h"
#include "kube/types.h"

namespace nodeagent::kube {

nlohmann::json encode(const Pod& pod);
nlohmann::json encode(const Service& service);
nlohmann::json encode(const EndpointSlice& slice);
nlohmann::json encode(const Event& event);
nlohmann::json encode(const ConfigMap& config_map);
nlohmann::json encode(const Secret& secret);
nlohmann::json encode(const PersistentVolume& volume);
nlohmann::json encode(const PersistentVolumeClaim& claim);
nlohmann::json encode(const Object& object);

// {"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":...},"items":[...]}
nlohmann::json encode_pod_list(const std::vector<Pod>& pods, const std::string& resource_version = "");
nlohmann::json encode_service_list(const std::vector<Service>& services, const std::string& resource_version = "");
nlohmann::json encode_event_list(const std::vector<Event>& events, const std::string& resource_version = "");
nlohmann::json encode_endpoint_slice_list(const std::vector<EndpointSlice>& slices,
                                          const std::string& resource_version = "");

// Pieces other encoders need (status PATCH bodies, ObjectMeta in other lists).
nlohmann::json encode(const ObjectMeta& meta);
nlohmann::json encode(const PodStatus& status);

// Keys sorted, four-space indent, as `kubectl get -o json` prints.
std::string to_json_text(const nlohmann::json& value);

}  // namespace nodeagent::kube
