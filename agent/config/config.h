// The agent's configuration: kubelet's flag names where kubelet has one, settable from the command
// line or from a YAML file (--config) whose keys are the flag names in camelCase. Flags win.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::config {

struct StaticRoute {
  std::string pod_cidr;   // another node's pod CIDR
  std::string via;        // that node's IP on the underlay
};


struct AgentConfig {
  // Pods
  std::string pod_manifest_path;                     // "" = no static pods
  std::string root_dir = "/var/lib/nodeagent";
  std::string container_runtime_endpoint = "unix:///run/containerd/containerd.sock";
  std::string hostname_override;                     // node name; "" = the host's name
  std::string pod_log_dir = "/var/log/pods";
  int max_pods = 110;
  std::string containerd_namespace = "nodeagent";
  std::string api_socket = "/run/nodeagent/nodeagent.sock";
  int file_check_frequency_seconds = 20;             // periodic rescan of the manifest dir
  int sync_frequency_seconds = 60;                   // periodic resync of every pod
  int container_log_max_size_mib = 10;
  int container_log_max_files = 5;
  std::string logger_path;                           // nodeagent-logger; "" = beside the agent
  std::string cgroup_driver = "cgroupfs";            // cgroupfs | systemd
  std::string cgroup_root = "/";                     // parent of kubepods
  int pod_workers = 8;                               // bounded pool running pod syncs
  std::vector<std::string> node_labels;              // --node-labels "key=value" items

  // Pod networking
  bool network_enabled = true;                       // false: pods get a netns with lo only
  std::string pod_cidr;                              // this node's pod range; "" = no pod IPs
  std::string cluster_cidr;                          // all pods of the cluster (masquerade)
  std::string node_ip;
  std::string network_bridge = "cni0";
  int network_mtu = 1500;
  std::vector<StaticRoute> node_routes;              // "CIDR=via" pairs
  std::vector<std::string> cluster_dns;
  std::string cluster_domain = "cluster.local";
  std::string resolv_conf = "/etc/resolv.conf";

  // Service proxy
  bool proxy_enabled = true;
  std::vector<std::string> nodeport_addresses;
  std::string service_node_port_range = "30000-32767";
  int iptables_min_sync_period_ms = 1000;

  // Joined to a control plane (kubelet's flags).
  std::string kubeconfig;                            // "" = standalone (static pods only)
  std::string proxy_kubeconfig;                      // the service proxy's identity (system:kube-proxy); "" = --kubeconfig
  std::string bootstrap_kubeconfig;                  // TLS bootstrap when --kubeconfig does not exist yet
  std::string cert_dir;                              // issued client certificates; "" = <root-dir>/pki
  bool rotate_certificates = false;                  // renew the client certificate (kubelet's rotateCertificates)
  bool register_node = true;
  std::vector<std::string> register_with_taints;     // "key=value:Effect"
  std::vector<std::string> kube_reserved;            // "cpu=100m,memory=100Mi"
  std::vector<std::string> system_reserved;
  double kube_api_qps = 50;
  int kube_api_burst = 100;
  int node_status_update_frequency_seconds = 10;

  // The node API and health servers (kubelet's and kube-proxy's flags).
  bool enable_server = false;                        // standalone: serve the node API (joined: always)
  int port = 0;                                      // node API port; 0 = kubelet's 10250 (given: serve it)
  std::string address = "0.0.0.0";
  std::string tls_cert_file, tls_private_key_file;   // "": self-signed <cert-dir>/kubelet.crt|key
  std::string client_ca_file;
  bool anonymous_auth = false;
  int healthz_port = 10248;                          // 0: off
  std::string healthz_bind_address = "127.0.0.1";
  std::string proxy_healthz_bind_address = "0.0.0.0:10256";   // "": off
  std::string proxy_metrics_bind_address = "127.0.0.1:10249"; // "": off

  std::string log_level = "info";
  std::string config_file;
};

// Parses argv (and the --config file it names). On --help/--version, `exit_code` is set to 0 and
// the text is in `message`; on bad input it is 2 with a one-line error naming the flag.
struct ParseOutcome {
  AgentConfig config;
  int exit_code = -1;          // -1: go on and run
  std::string message;
};
ParseOutcome parse_args(int argc, const char* const* argv);

// Checks values that CLI11 cannot: ranges, CIDRs, paths. Errors name the flag.
Status validate(const AgentConfig& config);

// The node name: hostname_override, else the lower-cased host name.
std::string node_name(const AgentConfig& config);

}  // namespace nodeagent::config
