// Where projected serviceAccountToken sources get their tokens (kubelet's token manager over
// the TokenRequest API). Only a connection to the API server can issue one: a standalone agent
// has none (VolumeHost::tokens is null) and such volumes fail with a clear error.
#pragma once

#include <string>

#include "kube/types.h"
#include "util/result.h"

namespace nodeagent::volumes {

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token for the pod's service account, for `projection`'s audience and expiration.
  [[nodiscard]] virtual Result<std::string> token(const kube::Pod& pod,
                                                  const kube::ServiceAccountTokenProjection& projection) = 0;
};

}  // namespace nodeagent::volumes
