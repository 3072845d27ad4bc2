#include "network/podfiles/hosts_file.h"

namespace nodeagent::network {

namespace {
std::string host_alias_entries(const std::vector<kube::HostAlias>& host_aliases) {
  if (host_aliases.empty()) return "";
  std::string out = "\n# Entries added by HostAliases.\n";
  for (const auto& alias : host_aliases) {
    out += alias.ip;
    out += '\t';
    for (size_t i = 0; i < alias.hostnames.size(); ++i) {
      if (i > 0) out += '\t';
      out += alias.hostnames[i];
    }
    out += '\n';
  }
  return out;
}
}  // namespace

std::string render_hosts_file(const std::vector<std::string>& pod_ips, const std::string& hostname,
                              const std::string& domain, const std::vector<kube::HostAlias>& host_aliases) {
  std::string out =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  for (const auto& ip : pod_ips) {
    if (domain.empty()) {
      out += ip + "\t" + hostname + "\n";
    } else {
      out += ip + "\t" + hostname + "." + domain + "\t" + hostname + "\n";
    }
  }
  return out + host_alias_entries(host_aliases);
}

std::string render_host_network_hosts_file(const std::string& node_hosts_content,
                                           const std::vector<kube::HostAlias>& host_aliases) {
  return "# Kubernetes-managed hosts file (host network).\n" + node_hosts_content +
         host_alias_entries(host_aliases);
}

}  // namespace nodeagent::network
