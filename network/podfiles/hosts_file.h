// /etc/hosts for a pod, byte for byte as kubelet writes it (managedHostsFileContent and
// nodeHostsFileContent): the header line, localhost entries, "<pod IP>\t<hostname>" (with the
// FQDN first when the pod has a subdomain), then the hostAliases block.
#pragma once

#include <string>
#include <vector>

#include "kube/types.h"

namespace nodeagent::network {

// For a pod with its own network namespace.
std::string render_hosts_file(const std::vector<std::string>& pod_ips, const std::string& hostname,
                              const std::string& domain, const std::vector<kube::HostAlias>& host_aliases);

// For a hostNetwork pod: the node's own hosts file (its content passed in) plus hostAliases.
std::string render_host_network_hosts_file(const std::string& node_hosts_content,
                                           const std::vector<kube::HostAlias>& host_aliases);

}  // namespace nodeagent::network
