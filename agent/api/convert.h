// Pure conversions between the backend's views (runtime structs, v1 JSON) and the wire messages
// of nodeagent.v1; kept apart from the service so they are tested without a server.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/api/backend.h"
#include "kube/selector.h"
#include "nodeagent/api.pb.h"
#include "runtime/types.h"

namespace nodeagent::api {

// created|running|exited|unknown, the words of the Container.state field.
std::string state_name(runtime::ContainerStateKind kind);
// RFC 3339 in UTC with nanoseconds trimmed to seconds, like metav1.Time ("2024-05-01T10:00:00Z").
std::string rfc3339(runtime::TimePoint t);

v1::Container to_proto(const ContainerView& view);
v1::Image to_proto(const runtime::ImageInfo& image);

// What `nodectl inspect` shows; `fresh` is the runtime's current state when it could be read.
nlohmann::json inspect_json(const ContainerView& view, const std::optional<runtime::ContainerState>& fresh);

// metadata.labels of a v1 object, as a map (missing or malformed = empty).
std::map<std::string, std::string> labels_of(const nlohmann::json& object);

// metadata.namespace of a v1 object; "default" when absent, as the API server would fill it.
std::string pod_namespace(const nlohmann::json& pod);

// Pods in `ns` ("" = all) matching `selector`, in a v1 PodList.
nlohmann::json pod_list(const std::vector<nlohmann::json>& pods, const std::string& ns,
                        const kube::LabelSelector& selector);
// A v1 list of `kind` ("EventList", ...) around items.
nlohmann::json v1_list(const std::string& kind, const std::vector<nlohmann::json>& items);

}  // namespace nodeagent::api
