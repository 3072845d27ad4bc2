// v1 Event -> JSON, exactly as the API server serves it (camelCase names, empty fields omitted,
// firstTimestamp/lastTimestamp at second precision, eventTime as a MicroTime or null).
// agent/kube has no encoder yet; when it gets one, this file should forward to it.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "kube/types.h"

namespace nodeagent::events {

nlohmann::json event_to_json(const kube::Event& event);
// {"apiVersion":"v1","kind":"EventList","metadata":{},"items":[...]}
nlohmann::json event_list_to_json(const std::vector<kube::Event>& events);

}  // namespace nodeagent::events
