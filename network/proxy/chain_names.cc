// sha256 via OpenSSL, RFC 4648 base32 with the standard alphabet (Go's base32.StdEncoding).
#include "network/proxy/chain_names.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace nodeagent::network::proxy {

const char* service_type_name(ServiceType t) {
  switch (t) {
    case ServiceType::kNodePort: return "NodePort";
    case ServiceType::kLoadBalancer: return "LoadBalancer";
    case ServiceType::kClusterIP: break;
  }
  return "ClusterIP";
}

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm on every call (~3x the hashing itself);
// a chain name is computed for every endpoint of a full sync, so keep one context per thread.
struct Sha256Context {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha256Context() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

void sha256(const std::string& text, unsigned char (&digest)[SHA256_DIGEST_LENGTH]) {
  thread_local Sha256Context c;
  unsigned int len = 0;
  if (c.md && c.ctx && EVP_DigestInit_ex(c.ctx, c.md, nullptr) == 1 &&
      EVP_DigestUpdate(c.ctx, text.data(), text.size()) == 1 && EVP_DigestFinal_ex(c.ctx, digest, &len) == 1)
    return;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
}

}  // namespace

std::string hash16(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  sha256(text, digest);
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve(16);
  // 16 characters = 80 bits = the first 10 bytes.
  for (int group = 0; group < 2; ++group) {
    uint64_t bits = 0;
    for (int i = 0; i < 5; ++i) bits = (bits << 8) | digest[group * 5 + i];
    for (int i = 7; i >= 0; --i) out += kAlphabet[(bits >> (i * 5)) & 31];
  }
  return out;
}

std::string protocol_lower(Protocol p) { return iptables::protocol_name(p); }

std::string service_chain(const ServicePortName& n, Protocol p) {
  return "KUBE-SVC-" + hash16(n.to_string() + protocol_lower(p));
}
std::string service_local_chain(const ServicePortName& n, Protocol p) {
  return "KUBE-SVL-" + hash16(n.to_string() + protocol_lower(p));
}
std::string external_chain(const ServicePortName& n, Protocol p) {
  return "KUBE-EXT-" + hash16(n.to_string() + protocol_lower(p));
}
std::string firewall_chain(const ServicePortName& n, Protocol p) {
  return "KUBE-FW-" + hash16(n.to_string() + protocol_lower(p));
}
std::string endpoint_chain(const ServicePortName& n, Protocol p, const std::string& endpoint) {
  return "KUBE-SEP-" + hash16(n.to_string() + protocol_lower(p) + endpoint);
}

bool is_per_service_chain(const std::string& chain) {
  for (const char* prefix : {"KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-"}) {
    if (chain.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace nodeagent::network::proxy
