// ClientCertificateRotator: kubelet's client certificate manager (--rotate-certificates). Once
// the node's client certificate has lived 70-90 % of its lifetime (jittered per node), a new
// ECDSA key and a CSR go to the API server with the node's current identity (the
// selfnodeclient approver signs those); the new pair goes into --cert-dir's store and the API
// client uses it from the next connection on. A failed renewal is retried with a back-off from
// 2 s to 5 min while the old certificate is still valid.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "kube/client/api_client.h"
#include "kube/client/certificates.h"
#include "kube/client/tls_bootstrap.h"
#include "util/background_loop.h"

namespace nodeagent::cluster {

class ClientCertificateRotator {
 public:
  using ProblemFn = std::function<void(const std::string& message)>;
  // `jitter` in [0, 1] picks the point between 70 % and 90 % of the lifetime.
  ClientCertificateRotator(kube::client::ApiClient& client, std::string node_name, std::string cert_dir,
                           double jitter, ProblemFn on_problem);
  ~ClientCertificateRotator();

  // The store's current pair, when it is usable and the client is not on it already: a rotated
  // certificate wins over the kubeconfig's after a restart, as kubelet's does.
  void use_stored_certificate();

  // When the certificate in use is due for renewal (nullopt: no certificate, or unreadable).
  std::optional<std::chrono::system_clock::time_point> deadline() const;

  // One renewal now; the client uses the new pair afterwards.
  Status rotate(std::chrono::seconds timeout);

  void start();
  void stop();

 private:
  void run();

  kube::client::ApiClient& client_;
  std::string node_name_;
  kube::client::ClientCertificateStore store_;
  double jitter_;
  ProblemFn on_problem_;
  BackgroundLoop loop_;
};

}  // namespace nodeagent::cluster
