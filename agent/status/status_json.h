// v1 PodStatus <-> JSON, with the API's field names (camelCase, empty fields omitted, times in
// RFC 3339 at second precision). Used to persist statuses under <root-dir>/pods/<uid>/status.json
// and to compare statuses (two statuses are the same when their encodings are). Kept here
// because agent/kube has no encoder yet; it reads and writes exactly the API's shape, so the
// kube encoder can replace it without changing the files.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::status {

nlohmann::json pod_status_to_json(const kube::PodStatus& status);

// Errors name the field: "status.containerStatuses[0].restartCount: expected integer".
Result<kube::PodStatus> pod_status_from_json(const nlohmann::json& json);

// RFC 3339, UTC, seconds ("2024-05-01T10:00:00Z"), as metav1.Time; the fraction is dropped.
std::string format_time(kube::Time t);
// Accepts "...Z" with or without a fraction of a second.
Result<kube::Time> parse_time(const std::string& text);

}  // namespace nodeagent::status
