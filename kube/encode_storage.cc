// Encoders for ConfigMap, Secret, PersistentVolume and PersistentVolumeClaim.
#include "kube/base64.h"
#include "kube/encode.h"
#include "kube/encode_parts.h"

namespace nodeagent::kube {

using nlohmann::json;
using namespace detail;

namespace {

void put_bytes(json& o, const char* key, const ByteMap& m) {
  if (m.empty()) return;
  json x = json::object();
  for (const auto& [k, v] : m) x[k] = base64_encode(v);
  o[key] = std::move(x);
}

void put_resources(json& o, const char* key, const ResourceList& list) {
  if (!list.empty()) o[key] = encode_resource_list(list);
}

json encode_label_selector(const ObjectLabelSelector& s) {
  json o = json::object();
  put(o, "matchLabels", s.match_labels);
  if (!s.match_expressions.empty()) {
    json exprs = json::array();
    for (const auto& e : s.match_expressions) {
      json x = {{"key", e.key}, {"operator", e.op}};
      put(x, "values", e.values);
      exprs.push_back(std::move(x));
    }
    o["matchExpressions"] = std::move(exprs);
  }
  return o;
}

}  // namespace

json encode(const ConfigMap& cm) {
  json o = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", encode(cm.metadata)}};
  put(o, "data", cm.data);
  put_bytes(o, "binaryData", cm.binary_data);
  put(o, "immutable", cm.immutable);
  return o;
}

json encode(const Secret& s) {
  json o = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", encode(s.metadata)}};
  put(o, "type", s.type);
  put_bytes(o, "data", s.data);
  put(o, "stringData", s.string_data);
  put(o, "immutable", s.immutable);
  return o;
}

json encode(const PersistentVolume& pv) {
  const auto& s = pv.spec;
  json spec = json::object();
  put_resources(spec, "capacity", s.capacity);
  put(spec, "accessModes", s.access_modes);
  put(spec, "storageClassName", s.storage_class_name);
  put(spec, "volumeMode", s.volume_mode);
  if (s.claim_ref) spec["claimRef"] = encode_object_reference(*s.claim_ref);
  put(spec, "persistentVolumeReclaimPolicy", s.persistent_volume_reclaim_policy);
  put(spec, "mountOptions", s.mount_options);
  put_raw(spec, "nodeAffinity", s.node_affinity);
  if (s.host_path) {
    json hp = {{"path", s.host_path->path}};
    put(hp, "type", s.host_path->type);
    spec["hostPath"] = std::move(hp);
  }
  if (s.local) {
    json local = {{"path", s.local->path}};
    put(local, "fsType", s.local->fs_type);
    spec["local"] = std::move(local);
  }
  json status = json::object();
  put(status, "phase", pv.status.phase);
  put(status, "message", pv.status.message);
  put(status, "reason", pv.status.reason);
  return {{"apiVersion", "v1"}, {"kind", "PersistentVolume"}, {"metadata", encode(pv.metadata)},
          {"spec", std::move(spec)}, {"status", std::move(status)}};
}

json encode(const PersistentVolumeClaim& pvc) {
  const auto& s = pvc.spec;
  json spec = json::object();
  put(spec, "accessModes", s.access_modes);
  json resources = json::object();
  put_resources(resources, "requests", s.resources.requests);
  put_resources(resources, "limits", s.resources.limits);
  spec["resources"] = std::move(resources);
  put(spec, "storageClassName", s.storage_class_name);
  put(spec, "volumeName", s.volume_name);
  put(spec, "volumeMode", s.volume_mode);
  if (s.selector) spec["selector"] = encode_label_selector(*s.selector);
  json status = json::object();
  put(status, "phase", pvc.status.phase);
  put(status, "accessModes", pvc.status.access_modes);
  put_resources(status, "capacity", pvc.status.capacity);
  return {{"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"}, {"metadata", encode(pvc.metadata)},
          {"spec", std::move(spec)}, {"status", std::move(status)}};
}

}  // namespace nodeagent::kube
