// The desired pods of this node, merged from the sources (the manifest directory now; the API
// server later), and the bridge from "what is desired" to the pod workers: a new UID is
// update()d, a vanished UID is kill()ed. The node-level admission happens here, as kubelet's
// canAdmitPod, oldest pod first: a pod that does not fit next to the pods admitted before it
// (--max-pods, allocatable cpu/memory/storage, host ports: admission.h) is rejected (phase
// Failed, reason OutOfpods, OutOfcpu, NodePorts, ...) and never started.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "util/clock.h"

#include "agent/pods/admission.h"
#include "agent/pods/pod_workers.h"

namespace nodeagent::pods {

class PodManager {
 public:
  // on_rejected(pod, reason, message): the daemon turns it into status + event.
  using RejectFn = std::function<void(const PodPtr&, const std::string&, const std::string&)>;
  PodManager(PodWorkers& workers, NodeAllocatable node, RejectFn on_rejected);

  // Whether an admitted pod has finished (phase Succeeded or Failed): it no longer counts
  // against the node's resources, as kubelet's filterOutInactivePods.
  using FinishedFn = std::function<bool(const std::string& uid)>;
  void set_finished(FinishedFn fn);
  ~PodManager();

  // Replaces the full set of pods coming from `source` ("file", "api"). A pod listed with
  // metadata.deletionTimestamp (the API server's graceful deletion) is terminated with its
  // deletionGracePeriodSeconds, like one that is no longer listed.
  void set_source_pods(const std::string& source, const std::vector<PodPtr>& pods);

  // Called (on a pool thread) once a terminating pod is stopped and cleaned up, with the pod as
  // it was terminated; the API source then deletes the object for good.
  using TerminatedFn = std::function<void(const PodPtr&)>;
  void set_on_terminated(TerminatedFn fn);

  // Every pod of the node by namespace/name: admitted, rejected, and those still terminating
  // (listed with metadata.deletionTimestamp set, as kubectl shows "Terminating").
  std::vector<PodPtr> pods() const;
  std::optional<PodPtr> pod_by_uid(const std::string& uid) const;
  // "name", "namespace/name" or a UID prefix; nullopt when none or ambiguous (with why).
  std::optional<PodPtr> find(const std::string& ref, std::string* why) const;
  bool rejected(const std::string& uid) const;

 private:
  PodWorkers& workers_;
  NodeAllocatable node_;
  RejectFn on_rejected_;
  FinishedFn finished_;
  mutable std::mutex mu_;
  TerminatedFn on_terminated_;
  std::map<std::string, std::map<std::string, PodPtr>> by_source_;  // source -> uid -> pod
  std::map<std::string, PodPtr> admitted_;                          // uid -> pod
  std::map<std::string, PodPtr> rejected_;
  std::map<std::string, PodPtr> terminating_;  // uid -> pod with deletionTimestamp
};

}  // namespace nodeagent::pods
