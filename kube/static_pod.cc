// Static pod naming and identity (see static_pod.h).
#include "kube/static_pod.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstdio>

#include "kube/encode.h"
#include "kube/time.h"
#include "util/rfc3339.h"

namespace nodeagent::kube {
namespace {

std::string md5_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    out += buf;
  }
  return out;
}

// Go's RFC3339Nano: trailing zeros of the fraction trimmed.
std::string format_nano_time(Time t) { return format_rfc3339(t, Rfc3339Fraction::kNanosTrimmed); }

}  // namespace

std::string static_pod_uid(const Pod& pod_as_read, const std::string& node_name, const std::string& source_path) {
  // Hash a canonical form: sorted-key JSON of the pod, without fields the agent sets itself.
  Pod canonical = pod_as_read;
  canonical.metadata.uid.clear();
  canonical.metadata.annotations.erase(kConfigSeenAnnotation);
  canonical.status = PodStatus{};
  return md5_hex(encode(canonical).dump() + "host:" + node_name + "file:" + source_path);
}

Pod make_static_pod(Pod pod, const std::string& node_name, const std::string& source_path, Time seen) {
  if (pod.metadata.uid.empty()) pod.metadata.uid = static_pod_uid(pod, node_name, source_path);
  std::string node_lower = node_name;
  for (auto& c : node_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  pod.metadata.name += "-" + node_lower;
  if (pod.metadata.namespace_.empty()) pod.metadata.namespace_ = "default";
  pod.spec.node_name = node_name;
  pod.metadata.annotations[kConfigHashAnnotation] = pod.metadata.uid;
  pod.metadata.annotations[kConfigSourceAnnotation] = "file";
  pod.metadata.annotations[kConfigSeenAnnotation] = format_nano_time(seen);
  // A mirror pod gets its creationTimestamp from the API server when the kubelet first posts
  // it; the time the pod was first seen is the same moment, and stays put across restarts.
  pod.metadata.creation_timestamp = std::chrono::floor<std::chrono::seconds>(seen);
  bool has_toleration = false;
  for (const auto& t : pod.spec.tolerations) {
    if (t.key.empty() && t.operator_ == "Exists" && t.effect == "NoExecute") has_toleration = true;
  }
  if (!has_toleration) pod.spec.tolerations.push_back(Toleration{"", "Exists", "", "NoExecute", std::nullopt});
  pod.status.phase = "Pending";
  return pod;
}

}  // namespace nodeagent::kube
