// Mirror pods, as kubelet makes them: every static pod (from the manifest directory) gets a pod
// object in the API server so that `kubectl get pods` shows it. The mirror carries the
// annotation kubernetes.io/config.mirror = the static pod's hash (its UID here), spec.nodeName
// and an owner reference to the Node. A mirror pod that was deleted is created again; one whose
// hash no longer matches (the manifest changed) or whose static pod is gone is deleted (and
// recreated for the new version). The static pod's status is written to its mirror.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/cluster/cluster_context.h"
#include "kube/types.h"

namespace nodeagent::cluster {

inline constexpr const char* kMirrorAnnotation = "kubernetes.io/config.mirror";

// A mirror pod as the API server has it.
struct MirrorPod {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string hash;  // its config.mirror annotation
  bool deleting = false;
};

class MirrorPods {
 public:
  explicit MirrorPods(ClusterContext context) : context_(std::move(context)) {}

  // The mirror pods the API server lists for this node (from the pod source).
  void set_mirrors(std::vector<MirrorPod> mirrors);
  // Creates, deletes and recreates mirror pods so that each static pod has exactly its own.
  // Errors are logged; the next call tries again.
  void sync(const std::vector<std::shared_ptr<const kube::Pod>>& static_pods);
  // The mirror of a static pod (by the static pod's UID), when the API server has it.
  std::optional<MirrorPod> mirror_of(const std::string& static_uid) const;

  // The mirror pod object for a static pod (pure; tests).
  static nlohmann::json mirror_object(const kube::Pod& static_pod, const std::string& node_name,
                                      const std::string& node_uid);

 private:
  std::string node_uid();

  ClusterContext context_;
  mutable std::mutex mu_;
  std::map<std::string, MirrorPod> mirrors_;  // ns/name -> mirror
  std::string node_uid_;
};

}  // namespace nodeagent::cluster
