// Running code inside a network namespace. setns() changes the namespace of the calling
// thread only, so the work runs on a short-lived thread of its own that joins the namespace,
// runs, and exits: no pool or gRPC thread ever ends up in a pod's namespace by accident.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "util/result.h"

namespace nodeagent::network {

// Runs `fn` on a new thread joined to the network namespace bound at `netns_path`
// (e.g. /run/netns/x or <root>/pods/<uid>/ns/net) and waits for it. An empty path runs `fn`
// inline, in the caller's namespace. Errors: the namespace cannot be opened or joined.
Status run_in_netns(const std::string& netns_path, const std::function<Status()>& fn);

// The same, for work that returns a value.
template <typename T>
Result<T> run_in_netns_for(const std::string& netns_path, const std::function<Result<T>()>& fn) {
  std::optional<Result<T>> result;
  Status joined = run_in_netns(netns_path, [&]() -> Status {
    result.emplace(fn());
    return ok_status();
  });
  if (!joined.ok()) return joined.error();
  return std::move(*result);
}

}  // namespace nodeagent::network
