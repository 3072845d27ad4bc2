// Encoders shared by every kind: ObjectMeta, references, quantities, lists, JSON text.
#include "kube/encode.h"
#include "kube/encode_parts.h"

namespace nodeagent::kube {

using nlohmann::json;

namespace detail {

json encode_int_or_string(const IntOrString& v) {
  return v.is_string ? json(v.str_value) : json(v.int_value);
}

json encode_resource_list(const ResourceList& list) {
  json out = json::object();
  for (const auto& [name, q] : list) out[name] = to_string(q);
  return out;
}

json encode_object_reference(const ObjectReference& ref) {
  json o = json::object();
  put(o, "kind", ref.kind);
  put(o, "namespace", ref.namespace_);
  put(o, "name", ref.name);
  put(o, "uid", ref.uid);
  put(o, "apiVersion", ref.api_version);
  put(o, "resourceVersion", ref.resource_version);
  put(o, "fieldPath", ref.field_path);
  return o;
}

json encode_object_field_selector(const ObjectFieldSelector& s) {
  json o = json::object();
  put(o, "apiVersion", s.api_version);
  o["fieldPath"] = s.field_path;
  return o;
}

json encode_resource_field_selector(const ResourceFieldSelector& s) {
  json o = json::object();
  put(o, "containerName", s.container_name);
  o["resource"] = s.resource;
  o["divisor"] = to_string(s.divisor);  // a struct: always written, "0" when unset
  return o;
}

json encode_key_to_path(const KeyToPath& k) {
  json o = json::object();
  o["key"] = k.key;
  o["path"] = k.path;
  put(o, "mode", k.mode);
  return o;
}

}  // namespace detail

using namespace detail;

json encode(const ObjectMeta& m) {
  json o = json::object();
  put(o, "name", m.name);
  put(o, "generateName", m.generate_name);
  put(o, "namespace", m.namespace_);
  put(o, "uid", m.uid);
  put(o, "resourceVersion", m.resource_version);
  put(o, "generation", m.generation);
  put_time(o, "creationTimestamp", m.creation_timestamp);
  put_opt_time(o, "deletionTimestamp", m.deletion_timestamp);
  put(o, "deletionGracePeriodSeconds", m.deletion_grace_period_seconds);
  put(o, "labels", m.labels);
  put(o, "annotations", m.annotations);
  if (!m.owner_references.empty()) {
    json refs = json::array();
    for (const auto& r : m.owner_references) {
      json x = {{"apiVersion", r.api_version}, {"kind", r.kind}, {"name", r.name}, {"uid", r.uid}};
      put(x, "controller", r.controller);
      put(x, "blockOwnerDeletion", r.block_owner_deletion);
      refs.push_back(std::move(x));
    }
    o["ownerReferences"] = std::move(refs);
  }
  put(o, "finalizers", m.finalizers);
  put_raw(o, "managedFields", m.managed_fields);
  return o;
}

json encode(const Object& object) {
  return std::visit([](const auto& o) { return encode(o); }, object);
}

namespace {

template <typename T>
json encode_list(const char* kind, const char* api_version, const std::vector<T>& items, const std::string& rv) {
  json list = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", json::object()}, {"items", json::array()}};
  if (!rv.empty()) list["metadata"]["resourceVersion"] = rv;
  for (const auto& item : items) list["items"].push_back(encode(item));
  return list;
}

}  // namespace

json encode_pod_list(const std::vector<Pod>& pods, const std::string& rv) {
  return encode_list("PodList", "v1", pods, rv);
}
json encode_service_list(const std::vector<Service>& services, const std::string& rv) {
  return encode_list("ServiceList", "v1", services, rv);
}
json encode_event_list(const std::vector<Event>& events, const std::string& rv) {
  return encode_list("EventList", "v1", events, rv);
}
json encode_endpoint_slice_list(const std::vector<EndpointSlice>& slices, const std::string& rv) {
  return encode_list("EndpointSliceList", "discovery.k8s.io/v1", slices, rv);
}

std::string to_json_text(const json& value) { return value.dump(4) + "\n"; }

}  // namespace nodeagent::kube
