// SecretPlugin: tmpfs, fetch, payload, atomic write. Secret data never goes into an error or
// a log line: only names and keys do.
#include "volumes/secret/secret.h"

#include <fmt/format.h>

#include "volumes/payload/object_payload.h"
#include "volumes/payload/source_key.h"
#include "volumes/payload/volume_dir.h"

namespace nodeagent::volumes {

Status SecretPlugin::set_up(const kube::Pod& pod, const kube::Volume& v, const std::string& dir,
                            const PodVolumeContext&) {
  const auto& src = *v.secret;
  const auto context = fmt::format("volume \"{}\"", v.name);
  const bool optional = src.optional.value_or(false);
  const auto ownership = pod_volume_ownership(pod);
  const auto key = source_key("secret", src.secret_name, src.items, src.default_mode, optional, ownership.fs_group);
  if (writer_.immutable_up_to_date(dir, key)) return ok_status();
  // Fetch before mounting: a missing Secret leaves no tmpfs behind.
  auto secret = fetch_secret(objects_, pod.metadata.namespace_, src.secret_name, optional);
  if (!secret.ok()) return secret.error().wrap(context);
  auto payload = secret_payload(src.items, *secret, src.default_mode, optional);
  if (!payload.ok()) return payload.error().wrap(context);
  if (!writer_.written(dir)) NA_RETURN_IF_ERROR(prepare_volume_dir(dir, context, mounter_.get()));
  return writer_.write(dir, context, *payload, ownership, key, secret->immutable.value_or(false));
}

Status SecretPlugin::tear_down(const std::string& dir) {
  writer_.forget(dir);
  return release_volume_dir(dir, *mounter_);
}

}  // namespace nodeagent::volumes
