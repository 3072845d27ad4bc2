#include "agent/cluster/api_pod_source.h"

#include <optional>

#include "kube/decode.h"
#include "util/log.h"

namespace nodeagent::cluster {
namespace {

kube::client::ReflectorOptions pod_reflector_options(const std::string& node) {
  kube::client::ReflectorOptions o;
  o.what = "pods";
  o.path = "/api/v1/pods";
  o.field_selector = "spec.nodeName=" + node;
  return o;
}

// The mirror pod an API object is (kubernetes.io/config.mirror), read in place.
std::optional<MirrorPod> as_mirror_pod(const nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return std::nullopt;
  auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object()) return std::nullopt;
  auto hash = annotations->find(kMirrorAnnotation);
  if (hash == annotations->end() || !hash->is_string()) return std::nullopt;
  return MirrorPod{meta->value("namespace", ""), meta->value("name", ""), meta->value("uid", ""),
                   hash->get<std::string>(), meta->contains("deletionTimestamp")};
}

}  // namespace

ApiPodSource::ApiPodSource(ClusterContext context, PodsFn on_pods, ProblemFn on_problem, MirrorsFn on_mirrors)
    : context_(std::move(context)),
      on_pods_(std::move(on_pods)),
      on_problem_(std::move(on_problem)),
      on_mirrors_(std::move(on_mirrors)),
      reflector_(*context_.client, pod_reflector_options(context_.node_name),
                 [this](const kube::client::ObjectMap& objects, bool) { on_change(objects); }) {}

ApiPodSource::~ApiPodSource() { stop(); }

void ApiPodSource::start() { reflector_.start(); }
void ApiPodSource::stop() { reflector_.stop(); }

bool ApiPodSource::owns(const std::string& uid) const {
  std::lock_guard lock(mu_);
  return uids_.count(uid) > 0;
}

std::vector<PodPtr> ApiPodSource::decode_pods(const kube::client::ObjectMap& objects, const ProblemFn& on_problem,
                                              std::map<std::string, std::string>* reported) {
  std::vector<PodPtr> pods;
  for (const auto& [key, object] : objects) {
    if (as_mirror_pod(object)) continue;  // not a pod to run: MirrorPods keeps it
    auto decoded = kube::decode_pod(object);
    if (!decoded.ok()) {
      std::string rv = object.contains("metadata") ? object["metadata"].value("resourceVersion", "") : "";
      if (reported && (*reported)[key] != rv) {
        (*reported)[key] = rv;
        if (on_problem) on_problem(key, decoded.error().message);
      }
      continue;
    }
    // Unknown fields are expected from a newer API server: the model keeps what it runs.
    pods.push_back(std::make_shared<const kube::Pod>(std::move(decoded->object)));
  }
  return pods;
}

void ApiPodSource::on_change(const kube::client::ObjectMap& objects) {
  std::vector<MirrorPod> mirrors;
  for (const auto& [key, object] : objects)
    if (auto mirror = as_mirror_pod(object)) mirrors.push_back(std::move(*mirror));
  if (on_mirrors_) on_mirrors_(std::move(mirrors));
  std::vector<PodPtr> pods;
  {
    std::lock_guard lock(mu_);
    pods = decode_pods(objects, on_problem_, &reported_);
    for (auto it = reported_.begin(); it != reported_.end();)
      it = objects.count(it->first) ? std::next(it) : reported_.erase(it);
    uids_.clear();
    for (const auto& p : pods) uids_[p->metadata.uid] = p->metadata.deletion_timestamp.has_value();
  }
  on_pods_(pods);
}

void ApiPodSource::on_pod_terminated(const kube::Pod& pod) {
  {
    std::lock_guard lock(mu_);
    auto it = uids_.find(pod.metadata.uid);
    // Not ours, or not asked to go; a pod that is no longer listed at all is gone already.
    if (it == uids_.end() || !it->second) return;
  }
  nlohmann::json options = {{"kind", "DeleteOptions"},
                            {"apiVersion", "v1"},
                            {"gracePeriodSeconds", 0},
                            {"preconditions", {{"uid", pod.metadata.uid}}}};
  auto done = context_.client->remove(namespaced_path(pod.metadata.namespace_, "pods", pod.metadata.name), options);
  auto logger = log::get("cluster");
  if (done.ok() || done.error().code == ErrorCode::kNotFound) {
    logger->info("pod {}/{} uid={} deleted from the API server", pod.metadata.namespace_, pod.metadata.name, pod.metadata.uid);
    return;
  }
  // A uid precondition failure is a 409: a new pod of that name exists, and it is not ours to delete.
  logger->warn("pod {}/{}: final delete: {}", pod.metadata.namespace_, pod.metadata.name, done.error().message);
  if (done.error().code == ErrorCode::kConflict) return;
  std::lock_guard lock(mu_);
  pending_deletes_[pod.metadata.uid] = pod;
}

void ApiPodSource::retry_pending_deletes() {
  std::map<std::string, kube::Pod> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(pending_deletes_);
  }
  for (const auto& [uid, pod] : pending) on_pod_terminated(pod);
}

}  // namespace nodeagent::cluster
