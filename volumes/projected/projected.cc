// ProjectedPlugin: merged payload, tmpfs, atomic write.
#include "volumes/projected/projected.h"

#include <fmt/format.h>

#include "volumes/payload/volume_dir.h"
#include "volumes/projected/projected_payload.h"

namespace nodeagent::volumes {

Status ProjectedPlugin::set_up(const kube::Pod& pod, const kube::Volume& v, const std::string& dir,
                               const PodVolumeContext& ctx) {
  const auto context = fmt::format("volume \"{}\"", v.name);
  auto projected = projected_payload(pod, *v.projected, objects_, tokens_, ctx);
  if (!projected.ok()) return projected.error().wrap(context);
  if (!writer_.written(dir)) NA_RETURN_IF_ERROR(prepare_volume_dir(dir, context, mounter_.get()));
  return writer_.write(dir, context, *projected, pod_volume_ownership(pod));
}

Status ProjectedPlugin::tear_down(const std::string& dir) {
  writer_.forget(dir);
  return release_volume_dir(dir, *mounter_);
}

}  // namespace nodeagent::volumes
