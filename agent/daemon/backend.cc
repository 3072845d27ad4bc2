#include "agent/daemon/backend.h"

#include <algorithm>

#include <fmt/format.h>

#include "kube/encode.h"
#include "agent/pods/pod_runtime_state.h"

namespace nodeagent::daemon {

namespace {
uint32_t attempt_of(const runtime::ContainerState& s) { return pods::attempt_of(s.labels); }

std::string label(const runtime::ContainerState& s, const char* key) {
  auto it = s.labels.find(key);
  return it == s.labels.end() ? "" : it->second;
}
}  // namespace

DaemonBackend::DaemonBackend(pods::PodManager& pods, status::StatusManager& statuses, events::Recorder& recorder,
                             runtime::ContainerService& containers, runtime::ImageService& images, pods::PodPaths paths,
                             Facts facts)
    : pods_(pods),
      statuses_(statuses),
      recorder_(recorder),
      containers_(containers),
      images_(images),
      paths_(std::move(paths)),
      facts_(std::move(facts)) {}

kube::Pod DaemonBackend::with_status(const kube::Pod& pod) const {
  kube::Pod out = pod;
  if (auto st = statuses_.get_pod_status(pod.metadata.uid)) out.status = *st;
  else out.status.phase = "Pending";
  return out;
}

Result<pods::PodPtr> DaemonBackend::resolve(const std::string& ref) const {
  std::string why;
  auto found = pods_.find(ref, &why);
  if (!found) return why.find("ambiguous") != std::string::npos ? invalid(why) : not_found(why);
  return *found;
}

std::vector<nlohmann::json> DaemonBackend::list_pods() {
  std::vector<nlohmann::json> out;
  for (const auto& p : pods_.pods()) out.push_back(kube::encode(with_status(*p)));
  return out;
}

Result<nlohmann::json> DaemonBackend::get_pod(const std::string& ref) {
  NA_ASSIGN_OR_RETURN(auto pod, resolve(ref));
  return kube::encode(with_status(*pod));
}

Result<std::vector<api::ContainerView>> DaemonBackend::list_containers(const std::string& pod_ref, bool all) {
  runtime::Labels selector{{pods::labels::kManagedBy, facts_.node_name}};
  if (!pod_ref.empty()) {
    NA_ASSIGN_OR_RETURN(auto pod, resolve(pod_ref));
    selector = {{pods::labels::kPodUid, pod->metadata.uid}};
  }
  NA_ASSIGN_OR_RETURN(auto found, containers_.list_containers(selector));
  std::vector<api::ContainerView> out;
  for (auto& s : found) {
    if (!all && s.state != runtime::ContainerStateKind::kRunning) continue;
    api::ContainerView v;
    v.pod_uid = label(s, pods::labels::kPodUid);
    v.pod_name = label(s, pods::labels::kPodName);
    v.pod_namespace = label(s, pods::labels::kPodNamespace);
    v.container_name = label(s, pods::labels::kContainerName);
    v.attempt = attempt_of(s);
    v.state = std::move(s);
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const api::ContainerView& a, const api::ContainerView& b) {
    return std::tie(a.pod_namespace, a.pod_name, a.container_name, a.attempt) <
           std::tie(b.pod_namespace, b.pod_name, b.container_name, b.attempt);
  });
  return out;
}

Result<std::string> DaemonBackend::pick_container(const kube::Pod& pod, const std::string& container) const {
  if (!container.empty()) {
    for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers})
      for (const auto& c : *list)
        if (c.name == container) return container;
    return not_found(fmt::format("container \"{}\" not found in pod \"{}\"", container, pod.metadata.name));
  }
  if (pod.spec.containers.size() == 1) return pod.spec.containers[0].name;
  std::string names;
  for (const auto& c : pod.spec.containers) names += (names.empty() ? "" : " ") + c.name;
  return invalid(fmt::format("a container name must be specified for pod {}, choose one of: [{}]", pod.metadata.name, names));
}

Result<std::vector<runtime::ContainerState>> DaemonBackend::instances(const kube::Pod& pod, const std::string& container) {
  NA_ASSIGN_OR_RETURN(auto found, containers_.list_containers(
                                      {{pods::labels::kPodUid, pod.metadata.uid}, {pods::labels::kContainerName, container}}));
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return attempt_of(a) < attempt_of(b); });
  return found;
}

Result<std::string> DaemonBackend::container_id(const std::string& pod_ref, const std::string& container) {
  NA_ASSIGN_OR_RETURN(auto pod, resolve(pod_ref));
  NA_ASSIGN_OR_RETURN(auto name, pick_container(*pod, container));
  NA_ASSIGN_OR_RETURN(auto list, instances(*pod, name));
  if (list.empty() || list.back().state != runtime::ContainerStateKind::kRunning)
    return Error{ErrorCode::kFailedPrecondition,
                 fmt::format("container \"{}\" in pod \"{}\" is not running", name, pod->metadata.name)};
  return list.back().id;
}

Result<api::LogLocation> DaemonBackend::log_location(const std::string& pod_ref, const std::string& container, bool previous) {
  NA_ASSIGN_OR_RETURN(auto pod, resolve(pod_ref));
  NA_ASSIGN_OR_RETURN(auto name, pick_container(*pod, container));
  NA_ASSIGN_OR_RETURN(auto list, instances(*pod, name));
  if (list.empty())
    return not_found(fmt::format("container \"{}\" in pod \"{}\" has not started yet", name, pod->metadata.name));
  if (previous) {
    auto attempt = attempt_of(list.back());
    if (attempt == 0)
      return not_found(fmt::format("previous terminated container \"{}\" in pod \"{}\" not found", name, pod->metadata.name));
    return api::LogLocation{paths_.log_path(*pod, name, attempt - 1), false};
  }
  const auto& last = list.back();
  return api::LogLocation{paths_.log_path(*pod, name, attempt_of(last)), last.state == runtime::ContainerStateKind::kRunning};
}

std::vector<nlohmann::json> DaemonBackend::list_events(const std::string& pod_ref) {
  events::EventFilter filter;
  if (!pod_ref.empty()) {
    auto pod = resolve(pod_ref);
    if (pod.ok()) {
      filter.uid = (*pod)->metadata.uid;
    } else {
      filter.name = pod_ref;  // events about a manifest that never became a pod
    }
  }
  std::vector<nlohmann::json> out;
  for (const auto& e : recorder_.list(filter)) out.push_back(kube::encode(e));
  return out;
}

Result<std::vector<nlohmann::json>> DaemonBackend::list_probes(const std::string& pod_ref) {
  if (!probes_) return Error{ErrorCode::kFailedPrecondition, "the prober is not running on this node"};
  if (pod_ref.empty()) return probes_("");
  NA_ASSIGN_OR_RETURN(auto pod, resolve(pod_ref));
  return probes_(pod->metadata.uid);
}

Result<nlohmann::json> DaemonBackend::list_services() {
  if (!proxy_.list_services) return Error{ErrorCode::kFailedPrecondition, "the service proxy is not running on this node"};
  return proxy_.list_services();
}

Result<std::string> DaemonBackend::trace_service(const std::string& service, const std::string& port) {
  if (!proxy_.trace) return Error{ErrorCode::kFailedPrecondition, "the service proxy is not running on this node"};
  return proxy_.trace(service, port);
}

}  // namespace nodeagent::daemon
