// The API server as a pod source: the pods bound to this node (a reflector on
// /api/v1/pods?fieldSelector=spec.nodeName=<node>), decoded into the v1 model and handed to the
// PodManager as the "api" source after every change. Pods the API server sends with a
// deletionTimestamp are terminated with their grace period (PodManager), and once stopped and
// cleaned up they are deleted for good: DELETE with gracePeriodSeconds 0 and a uid
// precondition, so that `kubectl delete pod` returns when the node has really finished.
//
// A pod that does not decode (a field of a type the model refuses) is left out, reported once
// per resourceVersion, never a crash; everything else keeps running.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/cluster/cluster_context.h"
#include "agent/cluster/mirror_pods.h"
#include "kube/client/reflector.h"
#include "kube/types.h"

namespace nodeagent::cluster {

using PodPtr = std::shared_ptr<const kube::Pod>;

class ApiPodSource {
 public:
  using PodsFn = std::function<void(const std::vector<PodPtr>& pods)>;
  // (pod "ns/name", message): a pod that could not be decoded.
  using ProblemFn = std::function<void(const std::string& pod, const std::string& message)>;

  // Mirror pods (kubernetes.io/config.mirror) are not pods to run: they go to on_mirrors.
  using MirrorsFn = std::function<void(std::vector<MirrorPod> mirrors)>;

  ApiPodSource(ClusterContext context, PodsFn on_pods, ProblemFn on_problem, MirrorsFn on_mirrors = nullptr);
  ~ApiPodSource();

  void start();
  void stop();
  bool synced() const { return reflector_.synced(); }

  // The pod has been stopped and cleaned up on this node: delete its API object if the API
  // server asked for its deletion. Runs the DELETE on the caller's thread; a failure is kept and
  // sent again by retry_pending_deletes().
  void on_pod_terminated(const kube::Pod& pod);

  // Sends the final DELETEs that failed (API server away) again; the agent calls it periodically.
  void retry_pending_deletes();

  // Is `uid` a pod of this source (not a static pod)?
  bool owns(const std::string& uid) const;

  // Decoding, for tests: the pods of one reflector snapshot (mirror pods are left out).
  static std::vector<PodPtr> decode_pods(const kube::client::ObjectMap& objects, const ProblemFn& on_problem,
                                         std::map<std::string, std::string>* reported);

 private:
  void on_change(const kube::client::ObjectMap& objects);

  ClusterContext context_;
  PodsFn on_pods_;
  ProblemFn on_problem_;
  MirrorsFn on_mirrors_;
  kube::client::Reflector reflector_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> reported_;  // pod key -> resourceVersion already reported
  std::map<std::string, bool> uids_;             // uid -> deletion requested
  std::map<std::string, kube::Pod> pending_deletes_;  // uid -> pod whose final DELETE failed
};

}  // namespace nodeagent::cluster
