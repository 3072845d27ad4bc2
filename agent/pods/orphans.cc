// Orphaned pods from containerd's labels and the pod directories on disk (see orphans.h).
#include "agent/pods/orphans.h"

#include <map>

#include "agent/pods/pod_runtime_state.h"

namespace nodeagent::pods {
namespace {

std::string label_or(const runtime::Labels& labels, const std::string& key, const std::string& fallback) {
  auto it = labels.find(key);
  return it == labels.end() || it->second.empty() ? fallback : it->second;
}

// Enough of a pod for termination: its identity, and the default grace period.
kube::Pod bare_pod(const std::string& uid, const std::string& name, const std::string& ns) {
  kube::Pod pod;
  pod.metadata.uid = uid;
  pod.metadata.name = name;
  pod.metadata.namespace_ = ns;
  pod.spec.termination_grace_period_seconds = 30;
  return pod;
}

}  // namespace

std::vector<kube::Pod> orphaned_pods(const std::vector<runtime::ContainerState>& containers,
                                     const std::vector<std::string>& state_dir_uids, const std::set<std::string>& desired) {
  std::map<std::string, kube::Pod> orphans;
  for (const auto& c : containers) {
    const std::string uid = label_or(c.labels, labels::kPodUid, "");
    if (uid.empty() || desired.count(uid)) continue;
    auto it = orphans.find(uid);
    if (it == orphans.end()) {
      it = orphans.emplace(uid, bare_pod(uid, label_or(c.labels, labels::kPodName, uid),
                                         label_or(c.labels, labels::kPodNamespace, "default"))).first;
    }
    kube::Container container;
    container.name = label_or(c.labels, labels::kContainerName, c.id);
    it->second.spec.containers.push_back(container);
  }
  // Pod directories left without containers (a sandbox, volumes, a cleanup cut short).
  for (const auto& uid : state_dir_uids)
    if (!desired.count(uid) && !orphans.count(uid)) orphans.emplace(uid, bare_pod(uid, uid, "default"));
  std::vector<kube::Pod> out;
  for (auto& [uid, pod] : orphans) out.push_back(std::move(pod));
  return out;
}

}  // namespace nodeagent::pods
