#include "network/podfiles/pod_hostname.h"

namespace nodeagent::network {

namespace {
constexpr size_t kMaxHostnameLength = 63;
constexpr size_t kMaxFqdnHostnameLength = 64;  // Linux's HOST_NAME_MAX

std::string pod_ref(const kube::Pod& pod) {
  return "pod " + pod.metadata.namespace_ + "/" + pod.metadata.name;
}
}  // namespace

bool is_dns1123_label(const std::string& text) {
  if (text.empty() || text.size() > kMaxHostnameLength) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : text) {
    if (!alnum(c) && c != '-') return false;
  }
  return alnum(text.front()) && alnum(text.back());
}

Result<PodHostname> pod_hostname(const kube::Pod& pod, const std::string& cluster_domain) {
  PodHostname result;
  result.hostname = pod.metadata.name;
  if (!pod.spec.hostname.empty()) {
    if (!is_dns1123_label(pod.spec.hostname)) {
      return invalid(pod_ref(pod) + ": spec.hostname: \"" + pod.spec.hostname + "\" is not a valid DNS label");
    }
    result.hostname = pod.spec.hostname;
  }
  if (result.hostname.size() > kMaxHostnameLength) {
    result.hostname.resize(kMaxHostnameLength);
    while (!result.hostname.empty() && (result.hostname.back() == '-' || result.hostname.back() == '.')) {
      result.hostname.pop_back();
    }
    if (result.hostname.empty()) {
      return invalid(pod_ref(pod) + ": metadata.name: hostname \"" + pod.metadata.name + "\" is empty once truncated");
    }
  }
  if (!pod.spec.subdomain.empty()) {
    if (!is_dns1123_label(pod.spec.subdomain)) {
      return invalid(pod_ref(pod) + ": spec.subdomain: \"" + pod.spec.subdomain + "\" is not a valid DNS label");
    }
    result.domain = pod.spec.subdomain + "." + pod.metadata.namespace_ + ".svc." + cluster_domain;
  }
  if (pod.spec.set_hostname_as_fqdn.value_or(false) && !result.domain.empty()) {
    const std::string fqdn = result.fqdn();
    if (fqdn.size() > kMaxFqdnHostnameLength) {
      return invalid(pod_ref(pod) + ": spec.setHostnameAsFQDN: FQDN \"" + fqdn + "\" is longer than 64 characters");
    }
    result.hostname = fqdn;
  }
  return result;
}

}  // namespace nodeagent::network
