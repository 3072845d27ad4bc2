// kubelet's and kube-proxy's metric families, named once (upstream's names, labels and buckets:
// pkg/kubelet/metrics, pkg/kubelet/prober, pkg/proxy/metrics), for the components that record
// into them: the pod workers, the PLEG, the runtime calls, the prober and the proxy's sync.
#pragma once

#include <string>

#include "util/metrics/registry.h"

namespace nodeagent::metrics {

Family& pod_worker_duration();        // kubelet_pod_worker_duration_seconds{operation_type}
Family& pod_start_duration();         // kubelet_pod_start_duration_seconds
Family& pleg_relist_duration();       // kubelet_pleg_relist_duration_seconds
Family& pleg_relist_interval();       // kubelet_pleg_relist_interval_seconds
Family& runtime_operations();         // kubelet_runtime_operations_total{operation_type}
Family& runtime_operation_errors();   // kubelet_runtime_operations_errors_total{operation_type}
Family& runtime_operation_duration(); // kubelet_runtime_operations_duration_seconds{operation_type}
Family& running_pods();               // kubelet_running_pods
Family& running_containers();         // kubelet_running_containers{container_state}

// prober_probe_total{probe_type,result,container,pod,namespace,pod_uid}; result is
// "successful", "failed" or "unknown".
Family& probe_total();
Family& probe_duration();             // prober_probe_duration_seconds{probe_type,container,pod,namespace}

Family& proxy_sync_duration();        // kubeproxy_sync_proxy_rules_duration_seconds
Family& proxy_sync_last_timestamp();  // kubeproxy_sync_proxy_rules_last_timestamp_seconds
Family& proxy_network_programming();  // kubeproxy_network_programming_duration_seconds
Family& proxy_iptables_total();       // kubeproxy_sync_proxy_rules_iptables_total{table}

// One runtime call: counts it (and its error) and observes its duration.
void record_runtime_operation(const std::string& operation, double seconds, bool failed);

}  // namespace nodeagent::metrics
