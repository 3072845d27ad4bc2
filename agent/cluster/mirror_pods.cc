#include "agent/cluster/mirror_pods.h"

#include <set>

#include "kube/encode.h"
#include "util/log.h"

namespace nodeagent::cluster {

void MirrorPods::set_mirrors(std::vector<MirrorPod> mirrors) {
  std::lock_guard lock(mu_);
  mirrors_.clear();
  for (auto& m : mirrors) mirrors_[m.namespace_ + "/" + m.name] = std::move(m);
}

std::optional<MirrorPod> MirrorPods::mirror_of(const std::string& static_uid) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, m] : mirrors_)
    if (m.hash == static_uid && !m.deleting) return m;
  return std::nullopt;
}

nlohmann::json MirrorPods::mirror_object(const kube::Pod& static_pod, const std::string& node_name,
                                         const std::string& node_uid) {
  auto pod = kube::encode(static_pod);
  auto& meta = pod["metadata"];
  for (const char* server_owned : {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                                   "deletionGracePeriodSeconds", "generation", "managedFields"})
    meta.erase(server_owned);
  meta["annotations"][kMirrorAnnotation] = static_pod.metadata.uid;
  if (!node_uid.empty())
    meta["ownerReferences"] = {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}, {"uid", node_uid}, {"controller", true}}};
  pod["spec"]["nodeName"] = node_name;
  pod.erase("status");
  return pod;
}

std::string MirrorPods::node_uid() {
  if (!node_uid_.empty()) return node_uid_;
  auto node = context_.client->get("/api/v1/nodes/" + context_.node_name);
  if (node.ok()) node_uid_ = (*node)["metadata"].value("uid", "");
  return node_uid_;
}

void MirrorPods::sync(const std::vector<std::shared_ptr<const kube::Pod>>& static_pods) {
  auto logger = log::get("cluster");
  std::map<std::string, MirrorPod> mirrors;
  {
    std::lock_guard lock(mu_);
    mirrors = mirrors_;
  }
  std::set<std::string> wanted;
  for (const auto& pod : static_pods) {
    const auto& m = pod->metadata;
    std::string key = m.namespace_ + "/" + m.name;
    wanted.insert(key);
    auto it = mirrors.find(key);
    if (it != mirrors.end()) {
      if (it->second.deleting) {
        // Someone deleted the mirror: only the node finishes that (nothing runs for a mirror),
        // and the next sync creates it again.
        auto gone = context_.client->remove(namespaced_path(m.namespace_, "pods", m.name),
                                            {{"gracePeriodSeconds", 0}, {"preconditions", {{"uid", it->second.uid}}}});
        if (!gone.ok() && gone.error().code != ErrorCode::kNotFound)
          logger->warn("mirror pod {}: cannot finish its deletion: {}", key, gone.error().message);
        continue;
      }
      if (it->second.hash == m.uid) continue;      // up to date
      // The manifest changed: this mirror shows an older version.
      auto gone = context_.client->remove(namespaced_path(m.namespace_, "pods", m.name),
                                          {{"gracePeriodSeconds", 0}, {"preconditions", {{"uid", it->second.uid}}}});
      if (!gone.ok() && gone.error().code != ErrorCode::kNotFound) {
        logger->warn("mirror pod {}: cannot delete the outdated one: {}", key, gone.error().message);
        continue;
      }
    }
    auto made = context_.client->create(namespaced_path(m.namespace_, "pods"), mirror_object(*pod, context_.node_name, node_uid()));
    if (made.ok()) {
      logger->info("mirror pod {} created for static pod uid={}", key, m.uid);
      std::lock_guard lock(mu_);
      mirrors_[key] = MirrorPod{m.namespace_, m.name, (*made)["metadata"].value("uid", ""), m.uid, false};
    } else if (made.error().code != ErrorCode::kAlreadyExists) {
      logger->warn("mirror pod {}: {}", key, made.error().message);
    }
  }
  // Mirrors of static pods that are gone.
  for (const auto& [key, mirror] : mirrors) {
    if (wanted.count(key)) continue;
    auto gone = context_.client->remove(namespaced_path(mirror.namespace_, "pods", mirror.name),
                                        {{"gracePeriodSeconds", 0}, {"preconditions", {{"uid", mirror.uid}}}});
    if (gone.ok() || gone.error().code == ErrorCode::kNotFound) logger->info("mirror pod {} deleted: its static pod is gone", key);
    else logger->warn("mirror pod {}: cannot delete: {}", key, gone.error().message);
  }
}

}  // namespace nodeagent::cluster
