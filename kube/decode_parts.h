// Internal to the decoders: one function per API struct, shared between the decode_*.cc files.
#pragma once

#include "kube/decode_reader.h"
#include "kube/types.h"

namespace nodeagent::kube::detail {

ObjectMeta decode_object_meta(ObjectReader& r);
ObjectReference decode_object_reference(ObjectReader& r);
ObjectFieldSelector decode_object_field_selector(ObjectReader& r);
ResourceFieldSelector decode_resource_field_selector(ObjectReader& r);
KeyToPath decode_key_to_path(ObjectReader& r);

PodSpec decode_pod_spec(ObjectReader& r);
Container decode_container(ObjectReader& r);
Volume decode_volume(ObjectReader& r);
PodStatus decode_pod_status(ObjectReader& r);

ServiceSpec decode_service_spec(ObjectReader& r);
ServiceStatus decode_service_status(ObjectReader& r);

// Whole bodies (metadata included) of the flat kinds; decode.cc checks apiVersion/kind.
ConfigMap decode_config_map_body(ObjectReader& r);
Secret decode_secret_body(ObjectReader& r);
PersistentVolume decode_persistent_volume_body(ObjectReader& r);
PersistentVolumeClaim decode_persistent_volume_claim_body(ObjectReader& r);

}  // namespace nodeagent::kube::detail
