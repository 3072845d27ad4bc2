// The node flags kubelet reads for its Node object, parsed and checked as kubelet does, with
// errors that name the flag:
//   --register-with-taints "key=value:Effect" or "key:Effect" (Effect: NoSchedule,
//     PreferNoSchedule, NoExecute)
//   --kube-reserved / --system-reserved "cpu=100m,memory=100Mi,ephemeral-storage=1Gi,pid=1000"
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kube/quantity.h"
#include "util/result.h"

namespace nodeagent::cluster {

struct Taint {
  std::string key;
  std::string value;   // may be empty
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
  bool operator==(const Taint&) const = default;
};

// Resource name ("cpu", "memory", "ephemeral-storage", "pid") -> reserved amount.
using ResourceAmounts = std::map<std::string, kube::Quantity>;

// Each item is one taint; items may also hold several taints separated by commas.
Result<std::vector<Taint>> parse_taints(const std::vector<std::string>& items,
                                        const std::string& flag = "--register-with-taints");

// Each item is "name=quantity" (or several, comma separated). Only cpu, memory,
// ephemeral-storage and pid can be reserved; quantities must not be negative (kubelet's
// ParseResourceList).
Result<ResourceAmounts> parse_reservation(const std::vector<std::string>& items, const std::string& flag);

}  // namespace nodeagent::cluster
