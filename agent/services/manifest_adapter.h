// The manifest directory delivers full snapshots; the proxy glue takes incremental input. This
// diffs each snapshot against the previous one (by value) and makes the matching upserts and
// deletes, deletes first (so that a nodePort or a name freed in the same snapshot is reusable).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/services/service_input.h"
#include "kube/types.h"

namespace nodeagent::services {

class ManifestAdapter {
 public:
  explicit ManifestAdapter(ServiceInput& input) : input_(input) {}

  // The directory's whole set of Services and EndpointSlices, as it is now.
  void apply(const std::vector<kube::Service>& services, const std::vector<kube::EndpointSlice>& slices);

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  ServiceInput& input_;
  std::map<Key, kube::Service> services_;
  std::map<Key, kube::EndpointSlice> slices_;
};

}  // namespace nodeagent::services
