// Decoders for PersistentVolume and PersistentVolumeClaim bodies.
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {

namespace {

ObjectLabelSelector decode_label_selector(ObjectReader& r) {
  ObjectLabelSelector s;
  s.match_labels = r.string_map("matchLabels");
  s.match_expressions = r.list("matchExpressions", [](ObjectReader& e) {
    return LabelSelectorRequirement{e.str("key"), e.str("operator"), e.strings("values")};
  });
  return s;
}

PersistentVolumeSpec decode_pv_spec(ObjectReader& r) {
  PersistentVolumeSpec s;
  s.capacity = r.resource_list("capacity");
  s.access_modes = r.strings("accessModes");
  s.storage_class_name = r.str("storageClassName");
  s.volume_mode = r.str("volumeMode");
  s.claim_ref = r.object("claimRef", decode_object_reference);
  s.persistent_volume_reclaim_policy = r.str("persistentVolumeReclaimPolicy");
  s.mount_options = r.strings("mountOptions");
  s.node_affinity = r.raw("nodeAffinity");
  s.host_path = r.object("hostPath", [](ObjectReader& h) { return HostPathVolumeSource{h.str("path"), h.str("type")}; });
  s.local = r.object("local", [](ObjectReader& l) { return LocalVolumeSource{l.str("path"), l.opt_str("fsType")}; });
  return s;
}

PersistentVolumeStatus decode_pv_status(ObjectReader& r) {
  PersistentVolumeStatus s;
  s.phase = r.str("phase");
  s.message = r.str("message");
  s.reason = r.str("reason");
  r.ignore("lastPhaseTransitionTime");
  return s;
}

PersistentVolumeClaimSpec decode_pvc_spec(ObjectReader& r) {
  PersistentVolumeClaimSpec s;
  s.access_modes = r.strings("accessModes");
  if (auto res = r.object("resources", [](ObjectReader& q) {
        return VolumeResourceRequirements{q.resource_list("requests"), q.resource_list("limits")};
      })) {
    s.resources = *res;
  }
  s.storage_class_name = r.opt_str("storageClassName");
  s.volume_name = r.str("volumeName");
  s.volume_mode = r.str("volumeMode");
  s.selector = r.object("selector", decode_label_selector);
  return s;
}

PersistentVolumeClaimStatus decode_pvc_status(ObjectReader& r) {
  PersistentVolumeClaimStatus s;
  s.phase = r.str("phase");
  s.access_modes = r.strings("accessModes");
  s.capacity = r.resource_list("capacity");
  return s;
}

}  // namespace

PersistentVolume decode_persistent_volume_body(ObjectReader& r) {
  PersistentVolume pv;
  if (auto m = r.object("metadata", decode_object_meta)) pv.metadata = *m;
  if (auto s = r.object("spec", decode_pv_spec)) pv.spec = *s;
  if (auto s = r.object("status", decode_pv_status)) pv.status = *s;
  return pv;
}

PersistentVolumeClaim decode_persistent_volume_claim_body(ObjectReader& r) {
  PersistentVolumeClaim pvc;
  if (auto m = r.object("metadata", decode_object_meta)) pvc.metadata = *m;
  if (auto s = r.object("spec", decode_pvc_spec)) pvc.spec = *s;
  if (auto s = r.object("status", decode_pvc_status)) pvc.status = *s;
  return pvc;
}

}  // namespace nodeagent::kube::detail
