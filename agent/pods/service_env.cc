// Service environment variables (see service_env.h).
#include "agent/pods/service_env.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace nodeagent::pods {
namespace {

constexpr const char* kMasterServiceNamespace = "default";
constexpr const char* kMasterService = "kubernetes";

std::string env_name(const std::string& name) {
  std::string out = name;
  for (auto& ch : out) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// Go's net.JoinHostPort.
std::string host_port(const std::string& ip, int32_t port) {
  const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return host + ":" + std::to_string(port);
}

bool has_cluster_ip(const kube::Service& s) { return !s.spec.cluster_ip.empty() && s.spec.cluster_ip != "None"; }

void append_service(const kube::Service& s, EnvPairs& out) {
  if (s.spec.ports.empty()) return;  // validation requires a port for a ClusterIP Service
  const std::string prefix = env_name(s.metadata.name);
  const std::string& ip = s.spec.cluster_ip;
  out.emplace_back(prefix + "_SERVICE_HOST", ip);
  out.emplace_back(prefix + "_SERVICE_PORT", std::to_string(s.spec.ports[0].port));
  for (const auto& p : s.spec.ports)
    if (!p.name.empty()) out.emplace_back(prefix + "_SERVICE_PORT_" + env_name(p.name), std::to_string(p.port));
  for (size_t i = 0; i < s.spec.ports.size(); ++i) {
    const auto& p = s.spec.ports[i];
    const std::string protocol = p.protocol.empty() ? "TCP" : p.protocol;
    const std::string url = lower(protocol) + "://" + host_port(ip, p.port);
    if (i == 0) out.emplace_back(prefix + "_PORT", url);  // Docker special-cases the first port
    const std::string port_prefix = prefix + "_PORT_" + std::to_string(p.port) + "_" + upper(protocol);
    out.emplace_back(port_prefix, url);
    out.emplace_back(port_prefix + "_PROTO", lower(protocol));
    out.emplace_back(port_prefix + "_PORT", std::to_string(p.port));
    out.emplace_back(port_prefix + "_ADDR", ip);
  }
}

}  // namespace

EnvPairs service_env_vars(const std::vector<kube::Service>& services, const std::string& pod_namespace,
                          bool enable_service_links) {
  // By name: a Service of the pod's namespace named "kubernetes" wins over the default one.
  std::map<std::string, const kube::Service*> chosen;
  for (const auto& s : services) {
    if (!has_cluster_ip(s)) continue;
    const auto& name = s.metadata.name;
    if (s.metadata.namespace_ == kMasterServiceNamespace && name == kMasterService) {
      chosen.emplace(name, &s);  // only if the pod's namespace has none of that name
    } else if (s.metadata.namespace_ == pod_namespace && enable_service_links) {
      chosen[name] = &s;
    }
  }
  EnvPairs out;
  for (const auto& [name, s] : chosen) append_service(*s, out);
  return out;
}

}  // namespace nodeagent::pods
