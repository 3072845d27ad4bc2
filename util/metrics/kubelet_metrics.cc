#include "util/metrics/kubelet_metrics.h"

namespace nodeagent::metrics {

Family& pod_worker_duration() {
  static Family& f = kubelet().histogram("kubelet_pod_worker_duration_seconds",
                                         "[ALPHA] Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync",
                                         {"operation_type"}, default_buckets());
  return f;
}
Family& pod_start_duration() {
  static Family& f = kubelet().histogram("kubelet_pod_start_duration_seconds",
                                         "[ALPHA] Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run",
                                         {}, pod_start_buckets());
  return f;
}
Family& pleg_relist_duration() {
  static Family& f = kubelet().histogram("kubelet_pleg_relist_duration_seconds",
                                         "[ALPHA] Duration in seconds for relisting pods in PLEG.", {}, default_buckets());
  return f;
}
Family& pleg_relist_interval() {
  static Family& f = kubelet().histogram("kubelet_pleg_relist_interval_seconds",
                                         "[ALPHA] Interval in seconds between relisting in PLEG.", {}, default_buckets());
  return f;
}
Family& runtime_operations() {
  static Family& f = kubelet().counter("kubelet_runtime_operations_total",
                                       "[ALPHA] Cumulative number of runtime operations by operation type.", {"operation_type"});
  return f;
}
Family& runtime_operation_errors() {
  static Family& f = kubelet().counter("kubelet_runtime_operations_errors_total",
                                       "[ALPHA] Cumulative number of runtime operation errors by operation type.",
                                       {"operation_type"});
  return f;
}
Family& runtime_operation_duration() {
  static Family& f = kubelet().histogram("kubelet_runtime_operations_duration_seconds",
                                         "[ALPHA] Duration in seconds of runtime operations. Broken down by operation type.",
                                         {"operation_type"}, exponential_buckets(.005, 2.5, 14));
  return f;
}
Family& running_pods() {
  static Family& f = kubelet().gauge("kubelet_running_pods", "[ALPHA] Number of pods that have a running pod sandbox");
  return f;
}
Family& running_containers() {
  static Family& f = kubelet().gauge("kubelet_running_containers", "[ALPHA] Number of containers currently running",
                                     {"container_state"});
  return f;
}
Family& probe_total() {
  static Family& f = probes().counter("prober_probe_total", "[ALPHA] Cumulative number of a liveness, readiness or startup probe for a container by result.",
                                      {"probe_type", "result", "container", "pod", "namespace", "pod_uid"});
  return f;
}
Family& probe_duration() {
  static Family& f = probes().histogram("prober_probe_duration_seconds",
                                        "[ALPHA] Duration in seconds for a probe response.",
                                        {"probe_type", "container", "pod", "namespace"}, default_buckets());
  return f;
}
Family& proxy_sync_duration() {
  static Family& f = proxy().histogram("kubeproxy_sync_proxy_rules_duration_seconds",
                                       "[ALPHA] SyncProxyRules latency in seconds", {}, exponential_buckets(0.001, 2, 15));
  return f;
}
Family& proxy_sync_last_timestamp() {
  static Family& f = proxy().gauge("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                                   "[ALPHA] The last time proxy rules were successfully synced");
  return f;
}
Family& proxy_network_programming() {
  static std::vector<double> buckets = [] {
    std::vector<double> b;  // kube-proxy's: 0.25 s steps to 1 s, 1 s steps to 30 s, then coarser
    for (double v = 0.25; v < 1; v += 0.25) b.push_back(v);
    for (double v = 1; v <= 30; v += 1) b.push_back(v);
    for (double v : {60, 120, 180, 240, 300}) b.push_back(v);
    return b;
  }();
  static Family& f = proxy().histogram("kubeproxy_network_programming_duration_seconds",
                                       "[ALPHA] In Cluster Network Programming Latency in seconds", {}, buckets);
  return f;
}
Family& proxy_iptables_total() {
  static Family& f = proxy().gauge("kubeproxy_sync_proxy_rules_iptables_total",
                                   "[ALPHA] Total number of iptables rules owned by kube-proxy", {"table"});
  return f;
}

void record_runtime_operation(const std::string& operation, double seconds, bool failed) {
  static Family& errors = runtime_operation_errors();  // listed from the first call on, as kubelet's
  runtime_operations().inc({operation});
  runtime_operation_duration().observe({operation}, seconds);
  if (failed) errors.inc({operation});
}

}  // namespace nodeagent::metrics
