// The pod's hostname and domain as kubelet computes them (GeneratePodHostNameAndDomain):
// spec.hostname or the pod name, cut to 63 characters with trailing '-'/'.' removed;
// the domain <subdomain>.<namespace>.svc.<cluster domain> when spec.subdomain is set.
#pragma once

#include <string>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::network {

struct PodHostname {
  std::string hostname;  // what the UTS namespace, /etc/hostname and /etc/hosts carry
  std::string domain;    // "" without spec.subdomain
  // hostname.domain, or hostname alone when there is no domain.
  std::string fqdn() const { return domain.empty() ? hostname : hostname + "." + domain; }
};

// Errors name the field: `pod default/x: spec.hostname: "A_b" is not a valid DNS label`.
// With setHostnameAsFQDN the returned hostname is the FQDN (at most 64 characters, as upstream).
Result<PodHostname> pod_hostname(const kube::Pod& pod, const std::string& cluster_domain);

// RFC 1123 label: 1-63 of [a-z0-9-], starting and ending alphanumeric.
bool is_dns1123_label(const std::string& text);

}  // namespace nodeagent::network
