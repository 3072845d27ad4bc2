#include "agent/pods/pod_manager.h"

#include <algorithm>

#include <fmt/format.h>

#include "kube/encode.h"

namespace nodeagent::pods {

namespace {

// An API object changes with its resourceVersion; a manifest's pod has none, so its content decides.
bool changed(const kube::Pod& a, const kube::Pod& b) {
  if (!a.metadata.resource_version.empty() || !b.metadata.resource_version.empty())
    return a.metadata.resource_version != b.metadata.resource_version;
  return kube::encode(a) != kube::encode(b);
}

}  // namespace

PodManager::PodManager(PodWorkers& workers, NodeAllocatable node, RejectFn on_rejected)
    : workers_(workers), node_(std::move(node)), on_rejected_(std::move(on_rejected)) {
  workers_.set_on_terminated([this](const std::string& uid) {
    PodPtr pod;
    TerminatedFn listener;
    {
      std::lock_guard lock(mu_);
      if (auto it = terminating_.find(uid); it != terminating_.end()) pod = it->second;
      terminating_.erase(uid);
      listener = on_terminated_;
    }
    if (pod && listener) listener(pod);
  });
}

PodManager::~PodManager() { workers_.set_on_terminated(nullptr); }

void PodManager::set_source_pods(const std::string& source, const std::vector<PodPtr>& pods) {
  std::vector<PodPtr> to_update;
  std::vector<std::pair<PodPtr, Rejection>> to_reject;
  std::vector<std::string> to_kill;
  std::vector<PodPtr> to_terminate;
  {
    std::lock_guard lock(mu_);
    auto& mine = by_source_[source];
    std::map<std::string, PodPtr> next;
    std::map<std::string, PodPtr> deleted;  // listed with a deletionTimestamp (the API server's graceful delete)
    for (const auto& p : pods) (p->metadata.deletion_timestamp ? deleted : next)[p->metadata.uid] = p;
    for (const auto& [uid, p] : mine) {
      if (next.count(uid)) continue;
      if (auto it = admitted_.find(uid); it != admitted_.end()) {
        auto deleting = std::make_shared<kube::Pod>(*it->second);
        if (auto d = deleted.find(uid); d != deleted.end()) {
          // The API server's deletionTimestamp and grace period win over the spec's.
          deleting->metadata.deletion_timestamp = d->second->metadata.deletion_timestamp;
          deleting->metadata.deletion_grace_period_seconds = d->second->metadata.deletion_grace_period_seconds;
        } else {
          deleting->metadata.deletion_timestamp = std::chrono::system_clock::now();
        }
        if (!deleting->metadata.deletion_grace_period_seconds)
          deleting->metadata.deletion_grace_period_seconds = deleting->spec.termination_grace_period_seconds.value_or(30);
        terminating_[uid] = deleting;
        admitted_.erase(it);
        to_kill.push_back(uid);
      } else if (auto r = rejected_.find(uid); r != rejected_.end()) {
        // A rejected pod never ran, but what was kept of it (its status) goes through the same
        // termination as every pod, which cleans up and then lets the API source delete it.
        auto d = deleted.find(uid);
        PodPtr gone = d != deleted.end() ? d->second : r->second;
        terminating_[uid] = gone;
        to_terminate.push_back(gone);
        rejected_.erase(r);
      }
    }
    // Deleted before this agent ever admitted it (or after a restart of the agent): it still
    // goes through termination, which finds and stops whatever of it runs.
    for (const auto& [uid, p] : deleted)
      if (!mine.count(uid) && !terminating_.count(uid)) {
        terminating_[uid] = p;
        to_terminate.push_back(p);
      }
    // Oldest first, so that the pods admitted before keep their places under --max-pods.
    std::vector<PodPtr> fresh;
    for (const auto& [uid, p] : next)
      if (!mine.count(uid)) fresh.push_back(p);
    std::sort(fresh.begin(), fresh.end(), [](const PodPtr& a, const PodPtr& b) {
      return a->metadata.creation_timestamp < b->metadata.creation_timestamp;
    });
    std::vector<const kube::Pod*> active;
    if (!fresh.empty())
      for (const auto& [uid, p] : admitted_)
        if (!finished_ || !finished_(uid)) active.push_back(p.get());
    for (const auto& p : fresh) {
      terminating_.erase(p->metadata.uid);  // back before its termination finished
      if (auto refused = check_node_admission(*p, active, node_)) {
        rejected_[p->metadata.uid] = p;
        to_reject.emplace_back(p, std::move(*refused));
        continue;
      }
      admitted_[p->metadata.uid] = p;
      active.push_back(p.get());
      to_update.push_back(p);
    }
    // Pods already here whose object changed (labels, annotations, an image, the conditions
    // others set for readiness gates): their workers get the new object, as kubelet's UPDATE.
    for (const auto& [uid, p] : next) {
      auto before = mine.find(uid);
      if (before == mine.end() || before->second == p || !changed(*before->second, *p)) continue;
      if (auto it = admitted_.find(uid); it != admitted_.end()) {
        it->second = p;
        to_update.push_back(p);
      } else if (auto r = rejected_.find(uid); r != rejected_.end()) {
        r->second = p;
      }
    }
    mine = std::move(next);
  }
  for (const auto& uid : to_kill) workers_.kill(uid);
  for (const auto& p : to_terminate) workers_.terminate(p);
  for (const auto& p : to_update) workers_.update(p);
  for (const auto& [p, why] : to_reject)
    if (on_rejected_) on_rejected_(p, why.reason, why.message);
}

void PodManager::set_finished(FinishedFn fn) {
  std::lock_guard lock(mu_);
  finished_ = std::move(fn);
}

void PodManager::set_on_terminated(TerminatedFn fn) {
  std::lock_guard lock(mu_);
  on_terminated_ = std::move(fn);
}

std::vector<PodPtr> PodManager::pods() const {
  std::lock_guard lock(mu_);
  std::vector<PodPtr> out;
  for (const auto& [uid, p] : admitted_) out.push_back(p);
  for (const auto& [uid, p] : rejected_) out.push_back(p);
  for (const auto& [uid, p] : terminating_) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const PodPtr& a, const PodPtr& b) {
    return std::tie(a->metadata.namespace_, a->metadata.name) < std::tie(b->metadata.namespace_, b->metadata.name);
  });
  return out;
}

std::optional<PodPtr> PodManager::pod_by_uid(const std::string& uid) const {
  std::lock_guard lock(mu_);
  if (auto it = admitted_.find(uid); it != admitted_.end()) return it->second;
  if (auto it = rejected_.find(uid); it != rejected_.end()) return it->second;
  if (auto it = terminating_.find(uid); it != terminating_.end()) return it->second;
  return std::nullopt;
}

bool PodManager::rejected(const std::string& uid) const {
  std::lock_guard lock(mu_);
  return rejected_.count(uid) > 0;
}

std::optional<PodPtr> PodManager::find(const std::string& ref, std::string* why) const {
  auto all = pods();
  std::vector<PodPtr> hits;
  auto slash = ref.find('/');
  for (const auto& p : all) {
    const auto& m = p->metadata;
    bool match = slash != std::string::npos ? (m.namespace_ + "/" + m.name == ref) : (m.name == ref);
    if (match) hits.push_back(p);
  }
  if (hits.empty() && slash == std::string::npos && ref.size() >= 4) {
    for (const auto& p : all)
      if (p->metadata.uid.rfind(ref, 0) == 0) hits.push_back(p);
  }
  if (hits.size() == 1) return hits.front();
  if (why) *why = hits.empty() ? fmt::format("pod \"{}\" not found", ref)
                               : fmt::format("pod \"{}\" is ambiguous: use namespace/name", ref);
  return std::nullopt;
}

}  // namespace nodeagent::pods
