#include "network/podfiles/pod_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "network/podfiles/hosts_file.h"
#include "network/podfiles/pod_hostname.h"

namespace nodeagent::network {

namespace {
bool has_content(const std::string& path, const std::string& content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string existing((std::istreambuf_iterator<char>(in)), {});
  return existing == content;
}

// 0644: containers may run as any user and must be able to read them. Unchanged files are not
// rewritten: every pod sync calls this, and a rename over an existing file costs a data flush
// on ext4.
Status write_file_atomically(const std::string& path, const std::string& content) {
  if (has_content(path, content)) return ok_status();
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("create " + tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return errno_error("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);  // umask must not make them unreadable
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return errno_error("rename " + tmp + " to " + path, err);
  }
  return ok_status();
}
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
  NA_RETURN_IF_ERROR(write_file_atomically(paths.hosts, files.hosts));
  NA_RETURN_IF_ERROR(write_file_atomically(paths.hostname, files.hostname));
  NA_RETURN_IF_ERROR(write_file_atomically(paths.resolv_conf, files.resolv_conf));
  return paths;
}

}  // namespace nodeagent::network
