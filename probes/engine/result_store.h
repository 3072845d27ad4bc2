// Readiness and startup results kept across an agent restart (kubernetes#100277: kubelet starts
// every container as not ready again, and its pods drop out of their Services until the first
// probe passes). Stored per pod, keyed to the container instance id, so that a container that
// restarted while the agent was down starts over.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace nodeagent::probes {

struct PersistedContainer {
  std::string container_id;
  bool ready = false;    // readiness result Success
  bool started = false;  // startup result Success
};
using PersistedPod = std::map<std::string, PersistedContainer>;  // by container name

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  virtual std::optional<PersistedPod> load(const std::string& pod_uid) = 0;
  virtual void save(const std::string& pod_uid, const PersistedPod& pod) = 0;
};

// JSON files, one per pod, written atomically at `path_of(uid)` (the pod's state dir). A pod dir
// that is gone is not recreated: the save is dropped.
class FileResultStore final : public ResultStore {
 public:
  explicit FileResultStore(std::function<std::string(const std::string& uid)> path_of) : path_of_(std::move(path_of)) {}
  std::optional<PersistedPod> load(const std::string& pod_uid) override;
  void save(const std::string& pod_uid, const PersistedPod& pod) override;

 private:
  std::function<std::string(const std::string&)> path_of_;
};

}  // namespace nodeagent::probes
