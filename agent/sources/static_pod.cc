#include "agent/sources/static_pod.h"

#include <openssl/sha.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace nodeagent::sources {

namespace {
// RFC 3339 with nanoseconds, as Go's time.RFC3339Nano prints UTC times (trailing zeros dropped).
std::string rfc3339_nano(kube::Time t) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(t - secs).count();
  std::string frac = fmt::format("{:09d}", nanos);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}{}{}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(secs)),
                     frac.empty() ? "" : ".", frac);
}
}  // namespace

std::string static_pod_uid(const nlohmann::json& document, const std::string& node_name, const std::string& source_path) {
  // nlohmann dumps object keys sorted, so the same document always hashes the same way.
  std::string key = document.dump() + "\n" + node_name + "\n" + source_path;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

void make_static_pod(kube::Pod& pod, const std::string& uid, const std::string& node_name, kube::Time seen) {
  auto& m = pod.metadata;
  if (m.namespace_.empty()) m.namespace_ = "default";
  m.uid = uid;
  m.name = m.name + "-" + node_name;
  m.annotations["kubernetes.io/config.hash"] = uid;
  m.annotations["kubernetes.io/config.source"] = "file";
  m.annotations["kubernetes.io/config.seen"] = rfc3339_nano(seen);
  if (!m.creation_timestamp) m.creation_timestamp = seen;
  pod.spec.node_name = node_name;
}

}  // namespace nodeagent::sources
