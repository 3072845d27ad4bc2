// The node API's serving certificate when --tls-cert-file/--tls-private-key-file are not given:
// as kubelet, a self-signed pair in <cert-dir>/kubelet.crt and kubelet.key (made once, reused
// while it parses and has not expired), for the node name and addresses.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::nodeapi {

struct CertPaths {
  std::string cert_file, key_file;
};

// `hosts`: DNS names and IP addresses for the SANs (the first is also the CN, "<host>@<time>").
Result<CertPaths> ensure_self_signed_cert(const std::string& cert_dir, const std::vector<std::string>& hosts);

}  // namespace nodeagent::nodeapi
