// downwardAPI payloads (see downward_payload.h).
#include "volumes/payload/downward_payload.h"

#include <fmt/format.h>

#include "volumes/atomic/payload_path.h"

namespace nodeagent::volumes {

namespace {

const kube::Container* container_named(const kube::Pod& pod, const std::string& name) {
  for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers})
    for (const auto& c : *list)
      if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

Result<Payload> downward_api_payload(const std::vector<kube::DownwardAPIVolumeFile>& items, const kube::Pod& pod,
                                     int32_t default_mode, const kube::DownwardApiContext& ctx) {
  Payload payload;
  for (const auto& item : items) {
    std::string value;
    if (item.field_ref) {
      auto v = kube::field_ref_value(pod, item.field_ref->field_path, ctx);
      if (!v.ok()) return v.error().wrap(fmt::format("items \"{}\": fieldRef", item.path));
      value = std::move(*v);
    } else if (item.resource_field_ref) {
      const auto& sel = *item.resource_field_ref;
      if (sel.container_name.empty())
        return invalid(fmt::format("items \"{}\": resourceFieldRef.containerName: Required value", item.path));
      const auto* c = container_named(pod, sel.container_name);
      if (!c)
        return invalid(fmt::format("items \"{}\": resourceFieldRef: container \"{}\" not found", item.path,
                                   sel.container_name));
      auto v = kube::resource_ref_value(pod, *c, sel, ctx);
      if (!v.ok()) return v.error().wrap(fmt::format("items \"{}\"", item.path));
      value = std::move(*v);
    } else {
      return invalid(fmt::format("items \"{}\": must specify fieldRef or resourceFieldRef", item.path));
    }
    payload[clean_payload_path(item.path)] = FileProjection{std::move(value), item.mode.value_or(default_mode)};
  }
  return payload;
}

}  // namespace nodeagent::volumes
