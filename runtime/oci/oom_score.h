// The lowest oom_score_adj this node can give a container. Lowering a score below the caller's
// own needs CAP_SYS_RESOURCE; without it (a node agent in a restricted container or user
// namespace) runc's write fails and the container never starts ("can't get final child's PID
// from pipe: EOF"). containerd's CRI has the same limit as restrict_oom_score_adj: scores are
// kept at or above its own. Guaranteed pods (-997) and critical pods are what it affects.
#pragma once

#include <cstdint>

namespace nodeagent::runtime::oci {

inline constexpr int64_t kMinOomScoreAdj = -1000;

// With CAP_SYS_RESOURCE any score goes; without it, none below the process's own.
int64_t oom_score_adj_floor(bool has_cap_sys_resource, int64_t own_oom_score_adj);

// The floor for this process: CapEff from /proc/self/status, /proc/self/oom_score_adj.
int64_t this_process_oom_score_adj_floor();

}  // namespace nodeagent::runtime::oci
