// ConfigMapPlugin: fetch, payload, atomic write.
#include "volumes/configmap/config_map.h"

#include <fmt/format.h>

#include "volumes/payload/object_payload.h"
#include "volumes/payload/source_key.h"
#include "volumes/payload/volume_dir.h"

namespace nodeagent::volumes {

Status ConfigMapPlugin::set_up(const kube::Pod& pod, const kube::Volume& v, const std::string& dir,
                               const PodVolumeContext&) {
  const auto& src = *v.config_map;
  const auto context = fmt::format("volume \"{}\"", v.name);
  const bool optional = src.optional.value_or(false);
  const auto ownership = pod_volume_ownership(pod);
  const auto key = source_key("configmap", src.name, src.items, src.default_mode, optional, ownership.fs_group);
  if (writer_.immutable_up_to_date(dir, key)) return ok_status();
  NA_RETURN_IF_ERROR(prepare_volume_dir(dir, context, nullptr));
  auto cm = fetch_config_map(objects_, pod.metadata.namespace_, src.name, optional);
  if (!cm.ok()) return cm.error().wrap(context);
  auto payload = config_map_payload(src.items, *cm, src.default_mode, optional);
  if (!payload.ok()) return payload.error().wrap(context);
  return writer_.write(dir, context, *payload, ownership, key, cm->immutable.value_or(false));
}

Status ConfigMapPlugin::tear_down(const std::string& dir) {
  writer_.forget(dir);
  return ok_status();
}

}  // namespace nodeagent::volumes
