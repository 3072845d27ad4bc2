#include "agent/config/config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include "kube/node_labels.h"
#include "util/ipv4.h"
#include "util/version.h"


namespace nodeagent::config {

namespace {


// Declares every option on `app`, bound to `c`. One table, used for flags and the config file.
void declare(CLI::App& app, AgentConfig& c, std::vector<std::string>& routes) {
  app.add_option("--config", c.config_file, "YAML file whose keys are these flags in camelCase");
  app.add_option("--pod-manifest-path", c.pod_manifest_path, "Directory of static pod manifests (YAML/JSON)");
  app.add_option("--root-dir", c.root_dir, "State directory")->capture_default_str();
  app.add_option("--container-runtime-endpoint", c.container_runtime_endpoint, "containerd socket")->capture_default_str();
  app.add_option("--hostname-override", c.hostname_override, "Node name (default: the host name)");
  app.add_option("--pod-log-dir", c.pod_log_dir, "Where container logs are written")->capture_default_str();
  app.add_option("--max-pods", c.max_pods, "Most pods this node runs")->capture_default_str();
  app.add_option("--containerd-namespace", c.containerd_namespace, "containerd namespace of this agent")->capture_default_str();
  app.add_option("--api-socket", c.api_socket, "Local API unix socket (root only)")->capture_default_str();
  app.add_option("--file-check-frequency", c.file_check_frequency_seconds, "Seconds between manifest dir rescans")->capture_default_str();
  app.add_option("--sync-frequency", c.sync_frequency_seconds, "Seconds between full pod resyncs")->capture_default_str();
  app.add_option("--container-log-max-size", c.container_log_max_size_mib, "MiB before a container log rotates")->capture_default_str();
  app.add_option("--container-log-max-files", c.container_log_max_files, "Rotated log files kept per container")->capture_default_str();
  app.add_option("--logger-path", c.logger_path, "Path of nodeagent-logger (default: beside nodeagent)");
  app.add_option("--cgroup-driver", c.cgroup_driver, "cgroupfs or systemd")->capture_default_str();
  app.add_option("--cgroup-root", c.cgroup_root, "Parent cgroup of kubepods")->capture_default_str();
  app.add_option("--pod-workers", c.pod_workers, "Threads running pod syncs")->capture_default_str();
  app.add_option("--node-labels", c.node_labels, "Labels the node adds to its own: KEY=VALUE[,KEY=VALUE...]")
      ->delimiter(',');

  app.add_flag("--network-enabled,!--no-network", c.network_enabled, "Give pods IPs on the node's bridge");
  app.add_option("--pod-cidr", c.pod_cidr, "This node's pod CIDR");
  app.add_option("--cluster-cidr", c.cluster_cidr, "CIDR of all pods in the cluster");
  app.add_option("--node-ip", c.node_ip, "This node's IP");
  app.add_option("--network-bridge", c.network_bridge, "Bridge the pods attach to")->capture_default_str();
  app.add_option("--network-mtu", c.network_mtu, "MTU of pod interfaces")->capture_default_str();
  app.add_option("--node-routes", routes, "Other nodes' pod CIDRs: CIDR=VIA[,CIDR=VIA...]")
      ->delimiter(',');
  app.add_option("--cluster-dns", c.cluster_dns, "DNS server IPs for ClusterFirst pods")->delimiter(',');
  app.add_option("--cluster-domain", c.cluster_domain, "Cluster DNS domain")->capture_default_str();
  app.add_option("--resolv-conf", c.resolv_conf, "Host resolv.conf for dnsPolicy Default")->capture_default_str();

  app.add_flag("--proxy-enabled,!--no-proxy", c.proxy_enabled, "Program Service rules with iptables");
  app.add_option("--nodeport-addresses", c.nodeport_addresses, "CIDRs NodePorts answer on")->delimiter(',');
  app.add_option("--service-node-port-range", c.service_node_port_range, "NodePort range")->capture_default_str();
  app.add_option("--iptables-min-sync-period-ms", c.iptables_min_sync_period_ms, "Least time between rule syncs")->capture_default_str();

  app.add_option("--kubeconfig", c.kubeconfig, "kubeconfig of this node's identity: join that control plane");
  app.add_option("--proxy-kubeconfig", c.proxy_kubeconfig,
                 "kubeconfig of the service proxy (kube-proxy's identity, which may list EndpointSlices); default --kubeconfig");
  app.add_option("--bootstrap-kubeconfig", c.bootstrap_kubeconfig,
                 "kubeconfig with a bootstrap token: get a node client certificate (written to --kubeconfig)");
  app.add_option("--cert-dir", c.cert_dir, "Where issued client certificates go (default: <root-dir>/pki)");
  app.add_flag("--rotate-certificates", c.rotate_certificates,
               "Renew the client certificate through the CSR API as it nears expiry");
  app.add_flag("--register-node,!--no-register-node", c.register_node, "Register the Node with the API server");
  app.add_option("--register-with-taints", c.register_with_taints, "Taints of the registered Node: KEY=VALUE:EFFECT[,...]")
      ->delimiter(',');
  app.add_option("--kube-reserved", c.kube_reserved, "Resources kept for Kubernetes daemons: cpu=100m,memory=100Mi")
      ->delimiter(',');
  app.add_option("--system-reserved", c.system_reserved, "Resources kept for the system: cpu=100m,memory=100Mi")
      ->delimiter(',');
  app.add_option("--kube-api-qps", c.kube_api_qps, "Requests per second to the API server")->capture_default_str();
  app.add_option("--kube-api-burst", c.kube_api_burst, "Burst of requests to the API server")->capture_default_str();
  app.add_option("--node-status-update-frequency", c.node_status_update_frequency_seconds,
                 "Seconds between node status computations")->capture_default_str();

  app.add_flag("--enable-server", c.enable_server, "Serve the node API without a control plane (client certificates only)");
  app.add_option("--port", c.port, "Port of the node API (default 10250; standalone: serve it)");
  app.add_option("--address", c.address, "Address of the node API")->capture_default_str();
  app.add_option("--tls-cert-file", c.tls_cert_file, "Serving certificate of the node API (default: self-signed in --cert-dir)");
  app.add_option("--tls-private-key-file", c.tls_private_key_file, "Key of --tls-cert-file");
  app.add_option("--client-ca-file", c.client_ca_file, "CA bundle that client certificates of the node API are checked against");
  app.add_option("--anonymous-auth", c.anonymous_auth, "Let requests without credentials in as system:anonymous")->capture_default_str();
  app.add_option("--healthz-port", c.healthz_port, "Port of the plain /healthz (0: off)")->capture_default_str();
  app.add_option("--healthz-bind-address", c.healthz_bind_address, "Address of the plain /healthz")->capture_default_str();
  app.add_option("--proxy-healthz-bind-address", c.proxy_healthz_bind_address,
                 "kube-proxy's /healthz and /livez: IP:PORT (\"\": off)")->capture_default_str();
  app.add_option("--proxy-metrics-bind-address", c.proxy_metrics_bind_address,
                 "kube-proxy's /metrics: IP:PORT (\"\": off)")->capture_default_str();

  app.add_option("--log-level", c.log_level, "trace|debug|info|warn|error")->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
}

// "podManifestPath" -> "--pod-manifest-path".
std::string flag_for_key(const std::string& key) {
  std::string out = "--";
  for (char ch : key) {
    if (std::isupper(static_cast<unsigned char>(ch))) {
      out += '-';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      out += ch;
    }
  }
  return out;
}

// Turns the config file into flag arguments, skipping flags also given on the command line.
Result<std::vector<std::string>> args_from_file(const std::string& path, const CLI::App& given) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return invalid("config file " + path + ": " + e.what());
  }
  std::vector<std::string> args;
  if (root.IsNull()) return args;
  if (!root.IsMap()) return invalid("config file " + path + ": must be a mapping of flag names to values");
  for (const auto& kv : root) {
    auto key = kv.first.as<std::string>();
    auto flag = flag_for_key(key);
    if (flag == "--config") return invalid("config file " + path + ": \"config\" cannot be set in a config file");
    const CLI::Option* opt = nullptr;
    try {
      opt = given.get_option(flag);
    } catch (const CLI::OptionNotFound&) {
      return invalid("config file " + path + ": unknown field \"" + key + "\"");
    }
    if (opt->count() > 0) continue;  // the command line wins
    std::string value;
    if (kv.second.IsSequence()) {
      for (const auto& item : kv.second) value += (value.empty() ? "" : ",") + item.as<std::string>();
    } else if (kv.second.IsScalar()) {
      value = kv.second.as<std::string>();
    } else {
      return invalid("config file " + path + ": field \"" + key + "\" must be a scalar or a list");
    }
    args.push_back(flag + "=" + value);
  }
  return args;
}

// "CIDR=VIA" items of --node-routes.
Status set_routes(AgentConfig& c, const std::vector<std::string>& items) {
  c.node_routes.clear();
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      return invalid("--node-routes: \"" + item + "\" must be CIDR=VIA");
    c.node_routes.push_back(StaticRoute{item.substr(0, eq), item.substr(eq + 1)});
  }
  return ok_status();
}

ParseOutcome failed(std::string message) {
  ParseOutcome out;
  out.exit_code = 2;
  out.message = std::move(message);
  return out;
}

ParseOutcome run_parser(const std::vector<std::string>& args) {
  ParseOutcome out;
  CLI::App app{"nodeagent: kubelet and kube-proxy for one node", "nodeagent"};
  app.set_version_flag("--version", std::string("nodeagent ") + version());
  std::vector<std::string> routes;
  declare(app, out.config, routes);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out.exit_code = 0;
    out.message = app.help();
    return out;
  } catch (const CLI::CallForVersion&) {
    out.exit_code = 0;
    out.message = std::string("nodeagent ") + version();
    return out;
  } catch (const CLI::ParseError& e) {
    out.exit_code = 2;
    out.message = e.what();
    return out;
  }
  if (auto status = set_routes(out.config, routes); !status.ok()) return failed(status.error().message);
  if (!out.config.config_file.empty()) {
    auto from_file = args_from_file(out.config.config_file, app);
    if (!from_file.ok()) {
      out.exit_code = 2;
      out.message = from_file.error().message;
      return out;
    }
    if (!from_file->empty()) {
      std::vector<std::string> merged = *from_file;
      merged.insert(merged.end(), args.begin(), args.end());
      ParseOutcome second;
      CLI::App again{"nodeagent", "nodeagent"};
      std::vector<std::string> routes_again;
      declare(again, second.config, routes_again);
      std::vector<std::string> rev(merged.rbegin(), merged.rend());
      try {
        again.parse(rev);
      } catch (const CLI::ParseError& e) {
        second.exit_code = 2;
        second.message = "config file " + out.config.config_file + ": " + e.what();
        return second;
      }
      auto status = set_routes(second.config, routes_again);
      if (!status.ok()) return failed(status.error().message);
      return second;
    }
  }
  return out;
}

}  // namespace

ParseOutcome parse_args(int argc, const char* const* argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto out = run_parser(args);
  if (out.exit_code == -1) {
    auto status = validate(out.config);
    if (!status.ok()) {
      out.exit_code = 2;
      out.message = status.error().message;
    }
  }
  return out;
}

namespace {

// Syntax of every IP and CIDR flag, whether or not the module using it is on, so that a typo is
// an error at start and not a surprise when networking is turned on later. Relations between
// them (pod CIDR inside the cluster CIDR, routes not overlapping) are the network module's.
Status validate_addresses(const AgentConfig& c) {
  auto cidr = [](const std::string& flag, const std::string& text) -> Status {
    if (text.empty()) return ok_status();
    if (auto parsed = Ipv4Cidr::parse(text); !parsed.ok()) return invalid(flag + ": " + parsed.error().message);
    return ok_status();
  };
  auto ip = [](const std::string& flag, const std::string& text) -> Status {
    if (text.empty()) return ok_status();
    if (auto parsed = Ipv4::parse(text); !parsed.ok()) return invalid(flag + ": " + parsed.error().message);
    return ok_status();
  };
  NA_RETURN_IF_ERROR(cidr("--pod-cidr", c.pod_cidr));
  NA_RETURN_IF_ERROR(cidr("--cluster-cidr", c.cluster_cidr));
  NA_RETURN_IF_ERROR(ip("--node-ip", c.node_ip));
  for (size_t i = 0; i < c.node_routes.size(); ++i) {
    const auto flag = "--node-routes[" + std::to_string(i) + "]";
    NA_RETURN_IF_ERROR(cidr(flag, c.node_routes[i].pod_cidr));
    NA_RETURN_IF_ERROR(ip(flag, c.node_routes[i].via));
  }
  for (const auto& a : c.nodeport_addresses) NA_RETURN_IF_ERROR(cidr("--nodeport-addresses", a));
  for (const auto& a : c.cluster_dns) NA_RETURN_IF_ERROR(ip("--cluster-dns", a));
  return ok_status();
}

}  // namespace

Status validate(const AgentConfig& c) {
  auto positive = [](int v, const char* flag, int min = 1) -> Status {
    if (v < min) return invalid(std::string(flag) + ": must be at least " + std::to_string(min) + ", got " + std::to_string(v));
    return ok_status();
  };
  NA_RETURN_IF_ERROR(positive(c.max_pods, "--max-pods"));
  NA_RETURN_IF_ERROR(positive(c.file_check_frequency_seconds, "--file-check-frequency"));
  NA_RETURN_IF_ERROR(positive(c.sync_frequency_seconds, "--sync-frequency"));
  NA_RETURN_IF_ERROR(positive(c.container_log_max_size_mib, "--container-log-max-size"));
  NA_RETURN_IF_ERROR(positive(c.container_log_max_files, "--container-log-max-files"));
  NA_RETURN_IF_ERROR(positive(c.pod_workers, "--pod-workers"));
  NA_RETURN_IF_ERROR(positive(c.network_mtu, "--network-mtu", 576));
  NA_RETURN_IF_ERROR(positive(c.iptables_min_sync_period_ms, "--iptables-min-sync-period-ms", 0));
  if (c.root_dir.empty() || c.root_dir[0] != '/') return invalid("--root-dir: must be an absolute path, got \"" + c.root_dir + "\"");
  if (c.pod_log_dir.empty() || c.pod_log_dir[0] != '/') return invalid("--pod-log-dir: must be an absolute path, got \"" + c.pod_log_dir + "\"");
  if (c.api_socket.empty() || c.api_socket[0] != '/') return invalid("--api-socket: must be an absolute path, got \"" + c.api_socket + "\"");
  if (c.cgroup_driver != "cgroupfs" && c.cgroup_driver != "systemd")
    return invalid("--cgroup-driver: must be cgroupfs or systemd, got \"" + c.cgroup_driver + "\"");
  if (c.containerd_namespace.empty()) return invalid("--containerd-namespace: must not be empty");
  NA_RETURN_IF_ERROR(validate_addresses(c));
  if (auto labels = kube::parse_node_labels(c.node_labels); !labels.ok()) return labels.error();
  if (!c.proxy_kubeconfig.empty() && c.kubeconfig.empty())
    return invalid("--proxy-kubeconfig: needs --kubeconfig");
  if (!c.bootstrap_kubeconfig.empty() && c.kubeconfig.empty())
    return invalid("--bootstrap-kubeconfig: needs --kubeconfig, where the issued credentials are written");
  if (c.kube_api_burst < 1) return invalid("--kube-api-burst: must be at least 1, got " + std::to_string(c.kube_api_burst));
  NA_RETURN_IF_ERROR(positive(c.node_status_update_frequency_seconds, "--node-status-update-frequency"));
  if (c.port < 0 || c.port > 65535) return invalid("--port: must be between 1 and 65535, got " + std::to_string(c.port));
  if (c.healthz_port < 0 || c.healthz_port > 65535)
    return invalid("--healthz-port: must be between 0 and 65535, got " + std::to_string(c.healthz_port));
  if (c.tls_cert_file.empty() != c.tls_private_key_file.empty())
    return invalid(c.tls_cert_file.empty() ? "--tls-cert-file: needed with --tls-private-key-file"
                                           : "--tls-private-key-file: needed with --tls-cert-file");
  return ok_status();
}

std::string node_name(const AgentConfig& c) {
  if (!c.hostname_override.empty()) return c.hostname_override;
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  std::string name(buf);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return name;
}

}  // namespace nodeagent::config
