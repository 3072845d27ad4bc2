// Decoder for Volume: the sources the agent implements, and any other source kept as
// "unsupported" with its raw JSON (so admission can refuse it by name).
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {
namespace {

DownwardAPIVolumeFile decode_downward_file(ObjectReader& r) {
  DownwardAPIVolumeFile f;
  f.path = r.str("path");
  f.field_ref = r.object("fieldRef", decode_object_field_selector);
  f.resource_field_ref = r.object("resourceFieldRef", decode_resource_field_selector);
  f.mode = r.opt_i32("mode");
  return f;
}

VolumeProjection decode_projection(ObjectReader& r) {
  VolumeProjection p;
  p.config_map = r.object("configMap", [](ObjectReader& c) {
    return VolumeProjection::ConfigMapProjection{c.str("name"), c.list("items", decode_key_to_path),
                                                 c.opt_bool("optional")};
  });
  p.secret = r.object("secret", [](ObjectReader& c) {
    return VolumeProjection::SecretProjection{c.str("name"), c.list("items", decode_key_to_path),
                                              c.opt_bool("optional")};
  });
  p.downward_api = r.object("downwardAPI", [](ObjectReader& c) {
    return VolumeProjection::DownwardAPIProjection{c.list("items", decode_downward_file)};
  });
  p.service_account_token = r.object("serviceAccountToken", [](ObjectReader& c) {
    ServiceAccountTokenProjection t;
    t.audience = c.str("audience");
    t.expiration_seconds = c.i64("expirationSeconds");
    t.path = c.str("path");
    return t;
  });
  p.cluster_trust_bundle = r.raw("clusterTrustBundle");
  return p;
}

}  // namespace

Volume decode_volume(ObjectReader& r) {
  Volume v;
  v.name = r.str("name");
  v.empty_dir = r.object("emptyDir", [](ObjectReader& e) {
    return EmptyDirVolumeSource{e.str("medium"), e.quantity("sizeLimit")};
  });
  v.host_path = r.object("hostPath", [](ObjectReader& h) { return HostPathVolumeSource{h.str("path"), h.str("type")}; });
  v.config_map = r.object("configMap", [](ObjectReader& c) {
    ConfigMapVolumeSource s;
    s.name = c.str("name");
    s.items = c.list("items", decode_key_to_path);
    s.default_mode = c.opt_i32("defaultMode").value_or(0644);  // SetDefaults_*VolumeSource
    s.optional = c.opt_bool("optional");
    return s;
  });
  v.secret = r.object("secret", [](ObjectReader& c) {
    SecretVolumeSource s;
    s.secret_name = c.str("secretName");
    s.items = c.list("items", decode_key_to_path);
    s.default_mode = c.opt_i32("defaultMode").value_or(0644);
    s.optional = c.opt_bool("optional");
    return s;
  });
  v.downward_api = r.object("downwardAPI", [](ObjectReader& c) {
    DownwardAPIVolumeSource s;
    s.items = c.list("items", decode_downward_file);
    s.default_mode = c.opt_i32("defaultMode").value_or(0644);
    return s;
  });
  v.projected = r.object("projected", [](ObjectReader& c) {
    ProjectedVolumeSource s;
    s.sources = c.list("sources", decode_projection);
    s.default_mode = c.opt_i32("defaultMode").value_or(0644);
    return s;
  });
  v.persistent_volume_claim = r.object("persistentVolumeClaim", [](ObjectReader& c) {
    return PersistentVolumeClaimVolumeSource{c.str("claimName"), c.boolean("readOnly")};
  });
  // Every other key of a Volume is a source type we do not implement (nfs, csi, iscsi, ...).
  // Mark them known so they are not warned about as typos, and keep the first one.
  static const char* kOtherSources[] = {
      "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
      "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte",
      "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos", "csi",
      "ephemeral", "image"};
  for (const char* key : kOtherSources) {
    RawJson raw = r.raw(key);
    if (!raw.empty() && !v.unsupported) v.unsupported = UnsupportedVolumeSource{key, raw};
  }
  return v;
}

}  // namespace nodeagent::kube::detail
