// Internal to the encoders: Go encoding/json "omitempty" helpers and shared sub-encoders.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/quantity.h"
#include "kube/time.h"
#include "kube/types.h"

namespace nodeagent::kube::detail {

using nlohmann::json;

// Each put_* writes the field only when Go's omitempty would (non-zero / non-nil).
inline void put(json& o, const char* key, const std::string& v) { if (!v.empty()) o[key] = v; }
inline void put(json& o, const char* key, bool v) { if (v) o[key] = true; }
void put(json& o, const char* key, const char* v) = delete;  // would silently pick the bool overload
inline void put(json& o, const char* key, int32_t v) { if (v != 0) o[key] = v; }
inline void put(json& o, const char* key, int64_t v) { if (v != 0) o[key] = v; }
inline void put(json& o, const char* key, const std::vector<std::string>& v) { if (!v.empty()) o[key] = v; }
inline void put(json& o, const char* key, const StringMap& v) { if (!v.empty()) o[key] = v; }
template <typename T>
void put(json& o, const char* key, const std::optional<T>& v) { if (v) o[key] = *v; }
// RawJson: kept text written back as it came.
inline void put_raw(json& o, const char* key, const RawJson& v) { if (!v.empty()) o[key] = json::parse(v); }
// metav1.Time is a struct: omitempty never omits it, a zero time is written as null.
inline void put_time(json& o, const char* key, const std::optional<Time>& t) {
  o[key] = t ? json(format_time(*t)) : json(nullptr);
}
inline void put_opt_time(json& o, const char* key, const std::optional<Time>& t) {
  if (t) o[key] = format_time(*t);
}

json encode_int_or_string(const IntOrString& v);
json encode_resource_list(const ResourceList& list);
json encode_object_reference(const ObjectReference& ref);
json encode_object_field_selector(const ObjectFieldSelector& s);
json encode_resource_field_selector(const ResourceFieldSelector& s);
json encode_key_to_path(const KeyToPath& k);
json encode_pod_spec(const PodSpec& spec);
json encode_volume(const Volume& v);

}  // namespace nodeagent::kube::detail
