// kube-proxy's chain names: prefix + the first 16 characters of base32(sha256(servicePortName +
// protocol [+ endpoint])), exactly as pkg/proxy/iptables/proxier.go computes them, so that an
// operator's tooling and muscle memory carry over.
#pragma once

#include <string>

#include "network/proxy/types.h"

namespace nodeagent::network::proxy {

inline constexpr const char* kServicesChain = "KUBE-SERVICES";
inline constexpr const char* kExternalServicesChain = "KUBE-EXTERNAL-SERVICES";
inline constexpr const char* kNodePortsChain = "KUBE-NODEPORTS";
inline constexpr const char* kPostroutingChain = "KUBE-POSTROUTING";
inline constexpr const char* kMarkMasqChain = "KUBE-MARK-MASQ";
inline constexpr const char* kForwardChain = "KUBE-FORWARD";
inline constexpr const char* kProxyFirewallChain = "KUBE-PROXY-FIREWALL";
inline constexpr const char* kCanaryChain = "KUBE-PROXY-CANARY";

// base32(sha256(text)) cut to 16 characters.
std::string hash16(const std::string& text);

// Lower-case protocol as kube-proxy hashes it: "tcp", "udp", "sctp".
std::string protocol_lower(Protocol p);

std::string service_chain(const ServicePortName& name, Protocol p);        // KUBE-SVC-
std::string service_local_chain(const ServicePortName& name, Protocol p);  // KUBE-SVL-
std::string external_chain(const ServicePortName& name, Protocol p);       // KUBE-EXT-
std::string firewall_chain(const ServicePortName& name, Protocol p);       // KUBE-FW-
// KUBE-SEP-; `endpoint` is "ip:port".
std::string endpoint_chain(const ServicePortName& name, Protocol p, const std::string& endpoint);

// True for the per-service chains the proxier owns and may delete when stale.
bool is_per_service_chain(const std::string& chain);

}  // namespace nodeagent::network::proxy
