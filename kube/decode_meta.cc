// Decoders for the small structs every object shares: ObjectMeta, references, selectors.
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {

namespace {

OwnerReference decode_owner_reference(ObjectReader& r) {
  OwnerReference o;
  o.api_version = r.str("apiVersion");
  o.kind = r.str("kind");
  o.name = r.str("name");
  o.uid = r.str("uid");
  o.controller = r.opt_bool("controller");
  o.block_owner_deletion = r.opt_bool("blockOwnerDeletion");
  return o;
}

}  // namespace

ObjectMeta decode_object_meta(ObjectReader& r) {
  ObjectMeta m;
  m.name = r.str("name");
  m.generate_name = r.str("generateName");
  m.namespace_ = r.str("namespace");
  m.uid = r.str("uid");
  m.resource_version = r.str("resourceVersion");
  m.generation = r.i64("generation");
  m.creation_timestamp = r.time("creationTimestamp");
  m.deletion_timestamp = r.time("deletionTimestamp");
  m.deletion_grace_period_seconds = r.opt_i64("deletionGracePeriodSeconds");
  m.labels = r.string_map("labels");
  m.annotations = r.string_map("annotations");
  m.owner_references = r.list("ownerReferences", decode_owner_reference);
  m.finalizers = r.strings("finalizers");
  m.managed_fields = r.raw("managedFields");
  r.ignore("selfLink");  // removed upstream in 1.20; old clients still send it
  return m;
}

ObjectReference decode_object_reference(ObjectReader& r) {
  ObjectReference o;
  o.kind = r.str("kind");
  o.namespace_ = r.str("namespace");
  o.name = r.str("name");
  o.uid = r.str("uid");
  o.api_version = r.str("apiVersion");
  o.resource_version = r.str("resourceVersion");
  o.field_path = r.str("fieldPath");
  return o;
}

ObjectFieldSelector decode_object_field_selector(ObjectReader& r) {
  ObjectFieldSelector s;
  s.api_version = r.str("apiVersion");
  s.field_path = r.str("fieldPath");
  return s;
}

ResourceFieldSelector decode_resource_field_selector(ObjectReader& r) {
  ResourceFieldSelector s;
  s.container_name = r.str("containerName");
  s.resource = r.str("resource");
  if (auto q = r.quantity("divisor")) s.divisor = *q;
  return s;
}

KeyToPath decode_key_to_path(ObjectReader& r) {
  KeyToPath k;
  k.key = r.str("key");
  k.path = r.str("path");
  k.mode = r.opt_i32("mode");
  return k;
}

}  // namespace nodeagent::kube::detail
