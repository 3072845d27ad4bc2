// Pod files: /etc/hosts, hostname and resolv.conf rendered and written (see pod_files.h).
#include "network/podfiles/pod_files.h"

#include <filesystem>

#include "network/podfiles/hosts_file.h"
#include "network/podfiles/pod_hostname.h"
#include "util/atomic_file.h"

namespace nodeagent::network {

namespace {
// 0644: containers may run as any user and must be able to read them. Unchanged files are not
// rewritten: every pod sync writes them.
constexpr AtomicWriteOptions kPodFileWrite{.mode = 0644, .skip_if_unchanged = true};

}  // namespace

Result<PodFiles> render_pod_files(const kube::Pod& pod, const std::vector<std::string>& pod_ips,
                                  const NodeFacts& node) {
  PodFiles files;
  NA_ASSIGN_OR_RETURN(PodDns dns, pod_dns(pod, node.dns));
  files.resolv_conf = render_resolv_conf(dns.config);
  files.warnings = std::move(dns.warnings);
  if (pod.spec.host_network) {
    files.hosts = render_host_network_hosts_file(node.hosts_content, pod.spec.host_aliases);
    files.hostname = node.hostname + "\n";
    return files;
  }
  NA_ASSIGN_OR_RETURN(PodHostname name, pod_hostname(pod, node.dns.cluster_domain));
  files.hosts = render_hosts_file(pod_ips, name.hostname, name.domain, pod.spec.host_aliases);
  files.hostname = name.hostname + "\n";
  return files;
}

PodFilePaths pod_file_paths(const std::string& dir) {
  return PodFilePaths{dir + "/etc-hosts", dir + "/hostname", dir + "/resolv.conf"};
}

Result<PodFilePaths> write_pod_files(const std::string& dir, const PodFiles& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return internal("create pod files dir " + dir + ": " + ec.message());
  const PodFilePaths paths = pod_file_paths(dir);
  NA_RETURN_IF_ERROR(write_file_atomically(paths.hosts, files.hosts, kPodFileWrite));
  NA_RETURN_IF_ERROR(write_file_atomically(paths.hostname, files.hostname, kPodFileWrite));
  NA_RETURN_IF_ERROR(write_file_atomically(paths.resolv_conf, files.resolv_conf, kPodFileWrite));
  return paths;
}

}  // namespace nodeagent::network
