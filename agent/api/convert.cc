// Backend views → wire messages (see convert.h).
#include "agent/api/convert.h"

#include "util/rfc3339.h"

namespace nodeagent::api {

std::string state_name(runtime::ContainerStateKind kind) {
  switch (kind) {
    case runtime::ContainerStateKind::kCreated: return "created";
    case runtime::ContainerStateKind::kRunning: return "running";
    case runtime::ContainerStateKind::kExited: return "exited";
    case runtime::ContainerStateKind::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string rfc3339(runtime::TimePoint t) { return format_rfc3339(t, Rfc3339Fraction::kNone); }

v1::Container to_proto(const ContainerView& view) {
  v1::Container c;
  c.set_id(view.state.id);
  c.set_pod_name(view.pod_name);
  c.set_pod_namespace(view.pod_namespace);
  c.set_pod_uid(view.pod_uid);
  c.set_name(view.container_name);
  c.set_image(view.state.image_ref);
  c.set_state(state_name(view.state.state));
  if (view.state.created_at) {
    c.set_created_at_unix_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    view.state.created_at->time_since_epoch()).count());
  }
  c.set_attempt(view.attempt);
  c.set_exit_code(view.state.exit_code);
  c.set_pid(view.state.pid);
  return c;
}

v1::Image to_proto(const runtime::ImageInfo& image) {
  v1::Image out;
  out.set_id(image.id);
  for (const auto& t : image.repo_tags) out.add_repo_tags(t);
  for (const auto& d : image.repo_digests) out.add_repo_digests(d);
  out.set_size(image.size);
  return out;
}

nlohmann::json inspect_json(const ContainerView& view, const std::optional<runtime::ContainerState>& fresh) {
  const runtime::ContainerState& s = fresh ? *fresh : view.state;
  nlohmann::json j = {
      {"id", s.id},
      {"name", view.container_name},
      {"pod", {{"name", view.pod_name}, {"namespace", view.pod_namespace}, {"uid", view.pod_uid}}},
      {"attempt", view.attempt},
      {"image", s.image_ref},
      {"state", state_name(s.state)},
      {"pid", s.pid},
      {"exitCode", s.exit_code},
      {"oomKilled", s.oom_killed},
      {"labels", s.labels},
  };
  if (s.created_at) j["createdAt"] = rfc3339(*s.created_at);
  if (s.started_at) j["startedAt"] = rfc3339(*s.started_at);
  if (s.finished_at) j["finishedAt"] = rfc3339(*s.finished_at);
  return j;
}

std::map<std::string, std::string> labels_of(const nlohmann::json& object) {
  std::map<std::string, std::string> labels;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return labels;
  auto l = meta->find("labels");
  if (l == meta->end() || !l->is_object()) return labels;
  for (const auto& [k, v] : l->items()) {
    if (v.is_string()) labels[k] = v.get<std::string>();
  }
  return labels;
}

std::string pod_namespace(const nlohmann::json& pod) {
  auto meta = pod.find("metadata");
  if (meta == pod.end() || !meta->is_object()) return "default";
  auto ns = meta->find("namespace");
  if (ns == meta->end() || !ns->is_string() || ns->get<std::string>().empty()) return "default";
  return ns->get<std::string>();
}

nlohmann::json pod_list(const std::vector<nlohmann::json>& pods, const std::string& ns,
                        const kube::LabelSelector& selector) {
  std::vector<nlohmann::json> items;
  for (const auto& pod : pods) {
    if (!ns.empty()) {
      // A pod without metadata.namespace is in "default", as the API server would have it.
      if (pod_namespace(pod) != ns) continue;
    }
    if (!selector.matches(labels_of(pod))) continue;
    items.push_back(pod);
  }
  return v1_list("PodList", items);
}

nlohmann::json v1_list(const std::string& kind, const std::vector<nlohmann::json>& items) {
  return {{"apiVersion", "v1"},
          {"kind", kind},
          {"metadata", {{"resourceVersion", ""}}},
          {"items", items.empty() ? nlohmann::json::array() : nlohmann::json(items)}};
}

}  // namespace nodeagent::api
