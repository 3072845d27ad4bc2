#include "kube/client/tls_bootstrap.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include "kube/base64.h"
#include "kube/client/certificates.h"
#include "kube/client/kubeconfig.h"
#include "util/atomic_file.h"
#include "util/read_file.h"
#include "util/sha256.h"

namespace nodeagent::kube::client {
namespace {

namespace fs = std::filesystem;

std::string timestamp(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  struct tm parts = {};
  gmtime_r(&t, &parts);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d-%H-%M-%S", &parts);
  return buf;
}

nlohmann::json csr_object(const std::string& name, const std::string& request_pem) {
  return {{"apiVersion", "certificates.k8s.io/v1"},
          {"kind", "CertificateSigningRequest"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"request", base64_encode(request_pem)},
            {"signerName", kKubeletClientSigner},
            {"usages", {"digital signature", "client auth"}}}}};
}

// The CSR's outcome so far: the certificate once issued, an error once denied or failed,
// nullopt while it waits for the approver and the signer.
Result<std::optional<std::string>> csr_outcome(const nlohmann::json& csr) {
  const auto& status = csr.contains("status") ? csr["status"] : nlohmann::json::object();
  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (const auto& c : status["conditions"]) {
      std::string type = c.value("type", "");
      if (type != "Denied" && type != "Failed") continue;
      std::string verb = type == "Denied" ? "is denied" : "failed";
      return failed_precondition("certificate signing request " + verb + ", reason: " + c.value("reason", "") +
                                 ", message: " + c.value("message", ""));
    }
  }
  std::string cert = status.value("certificate", "");
  if (cert.empty()) return std::optional<std::string>();
  auto pem = base64_decode(cert);
  if (!pem) return internal("certificate signing request: status.certificate is not base64");
  return std::optional<std::string>(*pem);
}

}  // namespace

Result<std::string> ClientCertificateStore::store(const std::string& cert_pem, const std::string& key_pem,
                                                  std::chrono::system_clock::time_point now) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return internal("cert dir " + dir_ + ": " + ec.message());
  const std::string pair = dir_ + "/kubelet-client-" + timestamp(now) + ".pem";
  NA_RETURN_IF_ERROR(write_file_atomically(pair, cert_pem + key_pem, {.mode = 0600, .skip_if_unchanged = false}));
  // Point the current link at it: a new link beside it, renamed over the old one.
  const std::string link = current_path(), next = link + ".tmp";
  ::unlink(next.c_str());
  if (::symlink(fs::path(pair).filename().c_str(), next.c_str()) != 0) return errno_error("symlink " + next, errno);
  if (::rename(next.c_str(), link.c_str()) != 0) return errno_error("rename " + next, errno);
  return pair;
}

Result<std::string> request_node_client_certificate(ApiClient& client, const std::string& key_pem,
                                                    const std::string& node_name, std::chrono::seconds timeout,
                                                    const std::atomic<bool>* cancel) {
  const std::string user = "system:node:" + node_name;
  NA_ASSIGN_OR_RETURN(auto request, make_certificate_request(key_pem, user, "system:nodes"));
  // A name derived from the key and the node, as kubelet's bootstrap digests it: an agent that
  // restarts mid-bootstrap with the same key finds its own CSR instead of filing another.
  const std::string name = "node-csr-" + sha256_hex(key_pem + "\n" + user, 40);
  const std::string collection = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto wait = [&](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
    return !(cancel && *cancel) && std::chrono::steady_clock::now() < deadline;
  };
  Error last = unavailable("no answer yet");
  bool created = false;
  do {
    if (!created) {
      auto made = client.create(collection, csr_object(name, request));
      if (made.ok() || made.error().code == ErrorCode::kAlreadyExists) {
        created = true;
      } else if (made.error().code == ErrorCode::kUnavailable) {
        last = made.error();
        continue;
      } else {
        return made.error().wrap("create certificate signing request " + name);
      }
    }
    auto csr = client.get(collection + "/" + name);
    if (!csr.ok()) {
      if (csr.error().code != ErrorCode::kUnavailable && csr.error().code != ErrorCode::kNotFound)
        return csr.error().wrap("certificate signing request " + name);
      if (csr.error().code == ErrorCode::kNotFound) created = false;  // cleaned up meanwhile: file it again
      last = csr.error();
      continue;
    }
    NA_ASSIGN_OR_RETURN(auto issued, csr_outcome(*csr));
    if (issued) {
      if (!certificate_matches_key(*issued, key_pem))
        return failed_precondition("certificate signing request " + name + ": the issued certificate is not for our key");
      return *issued;
    }
    last = unavailable("certificate signing request " + name + " is not approved and signed yet");
  } while (wait(std::chrono::seconds(1)));
  return Error{ErrorCode::kDeadlineExceeded, "timed out waiting for the client certificate: " + last.message};
}

bool credentials_usable(const ClientConfig& config, std::chrono::system_clock::time_point now) {
  if (config.client_cert_file.empty()) return !config.token.empty();
  auto cert = read_text_file(config.client_cert_file);
  auto key = read_text_file(config.client_key_file);
  if (!cert.ok() || !key.ok() || !certificate_matches_key(*cert, *key)) return false;
  auto facts = read_certificate(*cert);
  return facts.ok() && facts->not_before <= now && now < facts->not_after;
}

Status ensure_node_kubeconfig(std::shared_ptr<http::HttpClient> http, const BootstrapOptions& o,
                              const ClientOptions& client_options) {
  const auto now = std::chrono::system_clock::now();
  if (fs::exists(o.kubeconfig)) {
    auto current = load_kubeconfig(o.kubeconfig, o.data_dir + "/current");
    if (current.ok() && credentials_usable(*current, now)) return ok_status();
  }
  NA_ASSIGN_OR_RETURN(auto boot, load_kubeconfig(o.bootstrap_kubeconfig, o.data_dir + "/bootstrap"));
  // The key survives a restart mid-bootstrap (kubelet's kubelet-client.key.tmp), so the CSR
  // already filed with it can still be used.
  const std::string pending_key = o.cert_dir + "/kubelet-client.key.tmp";
  std::string key_pem;
  if (auto kept = read_text_file(pending_key); kept.ok() && !kept->empty()) {
    key_pem = *kept;
  } else {
    NA_ASSIGN_OR_RETURN(key_pem, generate_ec_private_key());
    std::error_code ec;
    fs::create_directories(o.cert_dir, ec);
    if (ec) return internal("cert dir " + o.cert_dir + ": " + ec.message());
    NA_RETURN_IF_ERROR(write_file_atomically(pending_key, key_pem, {.mode = 0600, .skip_if_unchanged = false}));
  }
  ApiClient client(std::move(http), boot, client_options);
  auto cert_pem = request_node_client_certificate(client, key_pem, o.node_name, o.timeout);
  if (!cert_pem.ok()) return cert_pem.error().wrap("TLS bootstrap with " + o.bootstrap_kubeconfig);
  ClientCertificateStore store(o.cert_dir);
  if (auto stored = store.store(*cert_pem, key_pem, now); !stored.ok()) return stored.error();
  ::unlink(pending_key.c_str());

  ClientConfig issued;
  issued.server = boot.server;
  issued.insecure_skip_verify = boot.insecure_skip_verify;
  issued.client_cert_file = issued.client_key_file = store.current_path();
  std::string ca_pem;
  if (!boot.ca_file.empty()) {
    NA_ASSIGN_OR_RETURN(ca_pem, read_text_file(boot.ca_file));
  }
  issued.ca_file = boot.ca_file;
  std::error_code ec;
  fs::create_directories(fs::path(o.kubeconfig).parent_path(), ec);
  return write_file_atomically(o.kubeconfig, render_kubeconfig(issued, "default-context", ca_pem),
                               {.mode = 0600, .skip_if_unchanged = false});
}

}  // namespace nodeagent::kube::client
