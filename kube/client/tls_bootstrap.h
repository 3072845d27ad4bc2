// kubelet's TLS bootstrap and client-certificate store (k8s.io/kubernetes/pkg/kubelet/certificate
// and client-go's certificate/csr):
//
//   ensure_node_kubeconfig: when --kubeconfig is missing, unreadable or its client certificate
//   has expired, and a --bootstrap-kubeconfig is given, a new ECDSA key and a CSR
//   (CN=system:node:<node>, O=system:nodes, signerName kubernetes.io/kube-apiserver-client-kubelet,
//   usages "digital signature" + "client auth") go to the API server with the bootstrap
//   credentials; once the CSR is approved and signed, the certificate and key are stored in
//   --cert-dir as kubelet-client-<timestamp>.pem with kubelet-client-current.pem pointing at it,
//   and --kubeconfig is written for that pair (server and CA from the bootstrap kubeconfig,
//   the CA embedded), so that later starts use it directly.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "kube/client/api_client.h"
#include "util/http/http_client.h"
#include "util/result.h"

namespace nodeagent::kube::client {

inline constexpr const char* kKubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";

// --cert-dir's client pair, kubelet's layout: every issued pair in a file of its own (certificate,
// then key, 0600), and the symlink kubelet-client-current.pem naming the one in use.
class ClientCertificateStore {
 public:
  explicit ClientCertificateStore(std::string dir) : dir_(std::move(dir)) {}

  std::string current_path() const { return dir_ + "/kubelet-client-current.pem"; }
  // Writes the pair and points the current link at it (atomically); returns the new file.
  Result<std::string> store(const std::string& cert_pem, const std::string& key_pem,
                            std::chrono::system_clock::time_point now) const;

 private:
  std::string dir_;
};

// POSTs a CSR for system:node:<node> made with `key_pem` and waits (polling) until it is signed:
// returns the issued certificate (PEM). A denied or failed CSR is an error with the approver's
// reason and message; so is `timeout` passing or `cancel` being set (kDeadlineExceeded).
Result<std::string> request_node_client_certificate(ApiClient& client, const std::string& key_pem,
                                                    const std::string& node_name, std::chrono::seconds timeout,
                                                    const std::atomic<bool>* cancel = nullptr);

struct BootstrapOptions {
  std::string kubeconfig;            // --kubeconfig: read if usable, else written
  std::string bootstrap_kubeconfig;  // --bootstrap-kubeconfig ("" = no bootstrap)
  std::string cert_dir;              // --cert-dir
  std::string data_dir;              // where the bootstrap kubeconfig's embedded data goes
  std::string node_name;
  std::chrono::seconds timeout{3600};
};

// The TLS bootstrap described above; nothing to do (ok) when --kubeconfig is usable.
Status ensure_node_kubeconfig(std::shared_ptr<http::HttpClient> http, const BootstrapOptions& options,
                              const ClientOptions& client_options = {});

// Whether `config`'s credentials can still be used at `now`: a token, or a client certificate
// that is readable, within its validity and matches its key.
bool credentials_usable(const ClientConfig& config, std::chrono::system_clock::time_point now);

}  // namespace nodeagent::kube::client
