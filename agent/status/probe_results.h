// What the prober last concluded about each container, as the status generator reads it.
// The prober (probes/) fills this in; until a container has a result, kubelet's defaults apply:
// a container without a startup probe is "started" as soon as it runs, one without a readiness
// probe is "ready" as soon as it has started, and a container WITH a probe but no result yet is
// neither (kubelet's initial probe result is Failure).
#pragma once

#include <map>
#include <string>

namespace nodeagent::status {

struct ProbeResult {
  // The containerd id of the instance that was probed. A result for an older instance (the
  // container has restarted since) is ignored; "" matches any instance.
  std::string container_id;
  bool success = false;
};

struct ProbeResults {
  std::map<std::string, ProbeResult> readiness;  // by container name
  std::map<std::string, ProbeResult> startup;    // by container name
};

}  // namespace nodeagent::status
