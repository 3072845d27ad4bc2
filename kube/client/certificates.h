// The node's client certificate, as kubelet's TLS bootstrap and certificate manager handle it:
// an ECDSA P-256 key, a CSR for CN=system:node:<node>, O=system:nodes, and the facts of an
// issued certificate (validity, subject) that decide whether it is still usable and when to
// rotate it. Pure functions over PEM text (OpenSSL's libcrypto).
#pragma once

#include <chrono>
#include <string>

#include "util/result.h"

namespace nodeagent::kube::client {

// A new ECDSA P-256 private key, PEM ("EC PRIVATE KEY", as client-go's keyutil writes it).
Result<std::string> generate_ec_private_key();

// A PEM certificate request signed with `key_pem`, subject O=<organization>, CN=<common_name>.
Result<std::string> make_certificate_request(const std::string& key_pem, const std::string& common_name,
                                             const std::string& organization);

struct CertificateFacts {
  std::string common_name;
  std::string organization;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// The first certificate in `pem`.
Result<CertificateFacts> read_certificate(const std::string& pem);

// Whether the first certificate in `cert_pem` carries the public half of `key_pem`.
bool certificate_matches_key(const std::string& cert_pem, const std::string& key_pem);

// When kubelet's certificate manager rotates: at a point between 70 % and 90 % of the
// certificate's lifetime (`jitter` in [0, 1] picks it), so that nodes do not renew together.
std::chrono::system_clock::time_point rotation_deadline(const CertificateFacts& cert, double jitter);

}  // namespace nodeagent::kube::client
