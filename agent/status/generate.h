// generate_pod_status: the pod's v1 status from its spec, what the runtime says about it, the
// status reported last time and the prober's results. A pure function, kubelet's
// generateAPIPodStatus: container statuses (container_statuses.h), phase (phase.h), conditions
// (conditions.h), QoS class (qos.h), IPs, startTime, and the pod-level reason/message of a pod
// that failed as a whole (DeadlineExceeded, PodOSNotSupported, SysctlForbidden ...).
//
// Rules kept from kubelet:
//  - a pod never leaves Succeeded/Failed once `previous` or the API status says so;
//  - reason and message stay with the phase: kept while the phase is unchanged;
//  - lastTransitionTime changes only when a condition's status changes; startTime is set once;
//  - conditions the kubelet does not own (readiness gates, DisruptionTarget) are kept from the
//    API status (pod.status.conditions).
#pragma once

#include <string>

#include "kube/types.h"
#include "agent/pods/pod_runtime_state.h"
#include "agent/pods/probe_results.h"

namespace nodeagent::status {

using pods::ProbeResult;
using pods::ProbeResults;

using Time = kube::Time;

// `previous`: the status manager's last status for this pod, or pod.status when it has none.
// `host_ip`: the node's IP (status.hostIP); "" falls back to state.host_ip.
// `pod_is_terminal`: the worker has stopped the pod for good (deleted/evicted); containers that
//  stopped then make the pod Succeeded/Failed even under restartPolicy Always (not for static
//  pods, as kubelet).
kube::PodStatus generate_pod_status(const kube::Pod& pod, const pods::PodRuntimeState& state,
                                    const kube::PodStatus& previous, const ProbeResults& probes,
                                    const std::string& host_ip, Time now, bool pod_is_terminal = false);

}  // namespace nodeagent::status
