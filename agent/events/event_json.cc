// Event JSON encoding (see event_json.h).
#include "agent/events/event_json.h"

#include "kube/time.h"

namespace nodeagent::events {

namespace {

using nlohmann::json;

using kube::format_micro_time;
using kube::format_time;

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

json time_or_null(const std::optional<kube::Time>& t) { return t ? json(format_time(*t)) : json(nullptr); }

}  // namespace

nlohmann::json event_to_json(const kube::Event& e) {
  json metadata = json::object();
  put(metadata, "name", e.metadata.name);
  put(metadata, "namespace", e.metadata.namespace_);
  put(metadata, "uid", e.metadata.uid);
  put(metadata, "resourceVersion", e.metadata.resource_version);
  if (e.metadata.creation_timestamp) metadata["creationTimestamp"] = format_time(*e.metadata.creation_timestamp);

  json involved = json::object();
  const auto& o = e.involved_object;
  put(involved, "kind", o.kind);
  put(involved, "namespace", o.namespace_);
  put(involved, "name", o.name);
  put(involved, "uid", o.uid);
  put(involved, "apiVersion", o.api_version);
  put(involved, "resourceVersion", o.resource_version);
  put(involved, "fieldPath", o.field_path);

  json source = json::object();
  put(source, "component", e.source.component);
  put(source, "host", e.source.host);

  json j = {{"apiVersion", "v1"}, {"kind", "Event"}, {"metadata", metadata}, {"involvedObject", involved}};
  put(j, "reason", e.reason);
  put(j, "message", e.message);
  j["source"] = source;
  j["firstTimestamp"] = time_or_null(e.first_timestamp);
  j["lastTimestamp"] = time_or_null(e.last_timestamp);
  if (e.count != 0) j["count"] = e.count;
  put(j, "type", e.type);
  j["eventTime"] = e.event_time ? json(format_micro_time(*e.event_time)) : json(nullptr);
  put(j, "action", e.action);
  put(j, "reportingComponent", e.reporting_component);
  put(j, "reportingInstance", e.reporting_instance);
  return j;
}

nlohmann::json event_list_to_json(const std::vector<kube::Event>& events) {
  json items = json::array();
  for (const auto& e : events) items.push_back(event_to_json(e));
  return {{"apiVersion", "v1"}, {"kind", "EventList"}, {"metadata", json::object()}, {"items", items}};
}

}  // namespace nodeagent::events
