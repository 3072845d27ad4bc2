// The host's facts for its Node object (see node_host_facts.h).
#include "agent/cluster/node_host_facts.h"

#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kube/node_labels.h"
#include "util/version.h"

namespace nodeagent::cluster {
namespace {

// The file's text, trimmed of surrounding white space; nullopt when it cannot be read.
std::optional<std::string> read_trimmed(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string();
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::string agent_kubelet_version() { return std::string("v") + version(); }

std::string os_release_pretty_name(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string v = line.substr(12);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

int64_t meminfo_total_bytes(const std::string& text, const std::string& field) {
  std::istringstream in(text);
  const std::string key = field + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) != 0) continue;
    std::istringstream fields(line.substr(key.size()));
    int64_t kb = -1;
    std::string unit;
    fields >> kb >> unit;
    if (kb < 0) return -1;
    return unit == "kB" ? kb * 1024 : kb;
  }
  return -1;
}

std::string hugepages_resource_name(const std::string& dir_name) {
  const std::string prefix = "hugepages-";
  if (dir_name.rfind(prefix, 0) != 0 || dir_name.size() < prefix.size() + 3) return "";
  if (dir_name.compare(dir_name.size() - 2, 2, "kB") != 0) return "";
  const std::string digits = dir_name.substr(prefix.size(), dir_name.size() - prefix.size() - 2);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return "";
  int64_t kb = std::stoll(digits);
  static const char* kSuffix[] = {"Ki", "Mi", "Gi", "Ti"};
  size_t i = 0;
  while (i + 1 < 4 && kb % 1024 == 0) {
    kb /= 1024;
    ++i;
  }
  return prefix + std::to_string(kb) + kSuffix[i];
}

Result<NodeFacts> gather_node_facts(const NodeFactsConfig& c, const HostPaths& paths) {
  NodeFacts f;
  f.name = c.node_name;
  f.hostname = c.node_name;
  f.node_ip = c.node_ip;
  f.max_pods = c.max_pods;
  f.unschedulable = !c.register_schedulable;
  f.container_runtime_version = c.container_runtime_version;
  f.kubelet_version = agent_kubelet_version();

  struct utsname uts {};
  if (::uname(&uts) != 0) return errno_error("uname", errno);
  f.kernel_version = uts.release;
  f.architecture = kube::go_arch(uts.machine);

  NA_ASSIGN_OR_RETURN(auto extra_labels, kube::parse_node_labels(c.node_labels));
  f.labels = kube::node_labels(c.node_name, uts.machine, extra_labels);
  NA_ASSIGN_OR_RETURN(f.taints, parse_taints(c.register_with_taints));
  NA_ASSIGN_OR_RETURN(f.kube_reserved, parse_reservation(c.kube_reserved, "--kube-reserved"));
  NA_ASSIGN_OR_RETURN(f.system_reserved, parse_reservation(c.system_reserved, "--system-reserved"));

  for (const auto& p : paths.machine_id)
    if (auto id = read_trimmed(p); id && !id->empty()) {
      f.machine_id = *id;
      break;
    }
  f.system_uuid = read_trimmed(paths.product_uuid).value_or("");
  f.boot_id = read_trimmed(paths.boot_id).value_or("");
  auto os_release = read_trimmed(paths.os_release);
  f.os_image = os_release ? os_release_pretty_name(*os_release) : "";
  if (f.os_image.empty()) f.os_image = "Linux";

  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  f.cpu_millis = cpus > 0 ? int64_t{cpus} * 1000 : 0;
  auto meminfo = read_trimmed(paths.meminfo);
  if (!meminfo) return internal("node facts: cannot read " + paths.meminfo);
  f.memory_bytes = meminfo_total_bytes(*meminfo);
  if (f.memory_bytes < 0) return internal("node facts: no MemTotal in " + paths.meminfo);
  f.swap_bytes = meminfo_total_bytes(*meminfo, "SwapTotal");

  struct statvfs fs {};
  if (::statvfs(c.root_dir.c_str(), &fs) != 0) return errno_error("node facts: statvfs " + c.root_dir, errno);
  f.ephemeral_storage_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);

  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths.hugepages_dir, ec)) {
    const std::string name = hugepages_resource_name(entry.path().filename().string());
    if (name.empty()) continue;
    auto pages = read_trimmed((entry.path() / "nr_hugepages").string());
    const std::string dir = entry.path().filename().string();
    const int64_t page_kb = std::stoll(dir.substr(10, dir.size() - 12));
    int64_t n = 0;
    if (pages && !pages->empty() && pages->find_first_not_of("0123456789") == std::string::npos) n = std::stoll(*pages);
    f.hugepages[name] = n * page_kb * 1024;
  }
  return f;
}

}  // namespace nodeagent::cluster
