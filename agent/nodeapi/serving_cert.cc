#include "agent/nodeapi/serving_cert.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/atomic_file.h"

namespace nodeagent::nodeapi {

namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Usable: parses and is valid for at least another day.
bool usable(const std::string& cert_file, const std::string& key_file) {
  FILE* f = std::fopen(cert_file.c_str(), "r");
  if (!f) return false;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) return false;
  time_t soon = std::time(nullptr) + 86400;
  bool ok = X509_cmp_time(X509_get0_notAfter(cert), &soon) > 0;
  X509_free(cert);
  return ok && std::filesystem::exists(key_file);
}

std::string to_pem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!write(bio.get())) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

Result<CertPaths> ensure_self_signed_cert(const std::string& cert_dir, const std::vector<std::string>& hosts) {
  CertPaths paths{cert_dir + "/kubelet.crt", cert_dir + "/kubelet.key"};
  if (usable(paths.cert_file, paths.key_file)) return paths;
  std::error_code ec;
  std::filesystem::create_directories(cert_dir, ec);
  if (ec) return internal("cannot create " + cert_dir + ": " + ec.message());

  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return internal("serving certificate: cannot generate an ECDSA key");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600);
  X509_set_pubkey(cert, key);
  const std::string cn = (hosts.empty() ? std::string("nodeagent") : hosts.front()) + "@" + std::to_string(std::time(nullptr));
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  std::string san;
  for (const auto& h : hosts) {
    in_addr a4{};
    in6_addr a6{};
    bool ip = ::inet_pton(AF_INET, h.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, h.c_str(), &a6) == 1;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + h;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] : std::vector<std::pair<int, std::string>>{
           {NID_basic_constraints, "critical,CA:FALSE"},
           {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
           {NID_ext_key_usage, "serverAuth"},
           {NID_subject_alt_name, san}}) {
    if (value.empty()) continue;
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())) {
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  X509_sign(cert, key, EVP_sha256());
  std::string cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
  std::string key_pem = to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  X509_free(cert);
  EVP_PKEY_free(key);
  if (cert_pem.empty() || key_pem.empty()) return internal("serving certificate: cannot encode the pair");
  NA_RETURN_IF_ERROR(write_file_atomically(paths.key_file, key_pem, AtomicWriteOptions{0600, false}));
  NA_RETURN_IF_ERROR(write_file_atomically(paths.cert_file, cert_pem, AtomicWriteOptions{0644, false}));
  return paths;
}

}  // namespace nodeagent::nodeapi
