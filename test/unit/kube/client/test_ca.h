// A certificate authority for tests: a self-signed CA and the signing of certificate requests,
// as the API server's csrsigning controller would (OpenSSL's libcrypto).
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "kube/client/certificates.h"

namespace nodeagent::kube::client::testing {

class TestCa {
 public:
  TestCa() {
    key_pem = *generate_ec_private_key();
    auto* key = read_key(key_pem);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("test-ca"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * 365);
    X509_set_pubkey(cert, key);
    X509_sign(cert, key, EVP_sha256());
    cert_pem = to_pem(cert);
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  // Issues a certificate for the request's subject and key, valid from now+`from_s` for `for_s`.
  std::string sign(const std::string& csr_pem, long from_s = -60, long for_s = 86400) const {
    BIO* in = BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()));
    X509_REQ* req = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    if (!req) return "";
    auto* ca_key = read_key(key_pem);
    BIO* ca_in = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* ca = PEM_read_bio_X509(ca_in, nullptr, nullptr, nullptr);
    BIO_free(ca_in);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial_);
    X509_set_subject_name(cert, X509_REQ_get_subject_name(req));
    X509_set_issuer_name(cert, X509_get_subject_name(ca));
    X509_gmtime_adj(X509_getm_notBefore(cert), from_s);
    X509_gmtime_adj(X509_getm_notAfter(cert), from_s + for_s);
    EVP_PKEY* pub = X509_REQ_get_pubkey(req);
    X509_set_pubkey(cert, pub);
    X509_sign(cert, ca_key, EVP_sha256());
    std::string pem = to_pem(cert);
    EVP_PKEY_free(pub);
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    X509_REQ_free(req);
    return pem;
  }

  // Whether `csr_pem` is signed by its own key (a well-formed request).
  static bool request_verifies(const std::string& csr_pem) {
    BIO* in = BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size()));
    X509_REQ* req = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    if (!req) return false;
    EVP_PKEY* pub = X509_REQ_get_pubkey(req);
    bool ok = X509_REQ_verify(req, pub) == 1;
    EVP_PKEY_free(pub);
    X509_REQ_free(req);
    return ok;
  }

  std::string key_pem;
  std::string cert_pem;

 private:
  static EVP_PKEY* read_key(const std::string& pem) {
    BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    return key;
  }
  static std::string to_pem(X509* cert) {
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<size_t>(n));
    BIO_free(out);
    return pem;
  }
  mutable long serial_ = 1;
};

}  // namespace nodeagent::kube::client::testing
