#include "agent/cluster/api_object_kinds.h"

namespace nodeagent::cluster {

const ObjectKindInfo& kind_info(ObjectKind kind) {
  static const ObjectKindInfo infos[] = {
      {"configmaps", "configmap", "ConfigMap"},
      {"secrets", "secret", "Secret"},
      {"persistentvolumes", "persistentvolume", "PersistentVolume"},
      {"persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim"},
  };
  return infos[static_cast<int>(kind)];
}

Result<kube::Object> decode_api_object(nlohmann::json doc, ObjectKind kind, const std::string& where) {
  const auto& ki = kind_info(kind);
  if (!doc.contains("apiVersion")) doc["apiVersion"] = "v1";
  if (!doc.contains("kind")) doc["kind"] = ki.kind;
  auto decoded = kube::decode_object(doc);
  if (!decoded.ok()) return decoded.error();
  if (kube::kind_of(decoded->object) != ki.singular)
    return internal(where + ": the API server answered with a " + kube::kind_of(decoded->object));
  return std::move(decoded->object);
}

bool immutable_object(const kube::Object& o) {
  if (auto* cm = std::get_if<kube::ConfigMap>(&o)) return cm->immutable.value_or(false);
  if (auto* s = std::get_if<kube::Secret>(&o)) return s->immutable.value_or(false);
  return false;
}

Error without_request(const Error& e) {
  if (e.message.rfind("GET ", 0) != 0) return e;
  const auto end = e.message.find(": ", 4);
  if (end == std::string::npos || e.message.find(' ', 4) < end) return e;
  return Error{e.code, e.message.substr(end + 2)};
}

}  // namespace nodeagent::cluster
