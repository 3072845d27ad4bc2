// DownwardApiPlugin: payload from the pod, atomic write.
#include "volumes/downwardapi/downward_api_volume.h"

#include <fmt/format.h>

#include "volumes/payload/downward_payload.h"
#include "volumes/payload/volume_dir.h"

namespace nodeagent::volumes {

Status DownwardApiPlugin::set_up(const kube::Pod& pod, const kube::Volume& v, const std::string& dir,
                                 const PodVolumeContext& ctx) {
  const auto context = fmt::format("volume \"{}\"", v.name);
  auto payload = downward_api_payload(v.downward_api->items, pod, v.downward_api->default_mode, ctx.downward);
  if (!payload.ok()) return payload.error().wrap(context);
  NA_RETURN_IF_ERROR(prepare_volume_dir(dir, context, nullptr));
  return writer_.write(dir, context, *payload, pod_volume_ownership(pod));
}

Status DownwardApiPlugin::tear_down(const std::string& dir) {
  writer_.forget(dir);
  return ok_status();
}

}  // namespace nodeagent::volumes
