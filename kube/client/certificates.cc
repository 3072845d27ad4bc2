#include "kube/client/certificates.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cmath>
#include <ctime>
#include <memory>

namespace nodeagent::kube::client {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;

Bio read_bio(const std::string& text) { return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string drain(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Key read_key(const std::string& pem) {
  auto bio = read_bio(pem);
  return Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Cert read_cert(const std::string& pem) {
  auto bio = read_bio(pem);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string name_entry(X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
}

Result<std::chrono::system_clock::time_point> to_time_point(const ASN1_TIME* t) {
  struct tm parts = {};
  if (ASN1_TIME_to_tm(t, &parts) != 1) return invalid("certificate: unreadable validity time");
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

}  // namespace

Result<std::string> generate_ec_private_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return internal("generate an ECDSA P-256 key: OpenSSL failed");
  Bio out(BIO_new(BIO_s_mem()));
  // The traditional "EC PRIVATE KEY" form, which client-go and curl both read.
  if (PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return internal("write the ECDSA key: OpenSSL failed");
  return drain(out.get());
}

Result<std::string> make_certificate_request(const std::string& key_pem, const std::string& common_name,
                                             const std::string& organization) {
  Key key = read_key(key_pem);
  if (!key) return invalid("certificate request: the private key is not PEM");
  Req req(X509_REQ_new());
  Name subject(X509_NAME_new());
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(subject.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1;
  };
  if (!add("O", organization) || !add("CN", common_name)) return invalid("certificate request: bad subject");
  if (X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_subject_name(req.get(), subject.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1 || X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
    return internal("certificate request: OpenSSL could not sign it");
  Bio out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) return internal("certificate request: OpenSSL failed");
  return drain(out.get());
}

Result<CertificateFacts> read_certificate(const std::string& pem) {
  Cert cert = read_cert(pem);
  if (!cert) return invalid("not a PEM certificate");
  CertificateFacts facts;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  facts.common_name = name_entry(subject, NID_commonName);
  facts.organization = name_entry(subject, NID_organizationName);
  NA_ASSIGN_OR_RETURN(facts.not_before, to_time_point(X509_get0_notBefore(cert.get())));
  NA_ASSIGN_OR_RETURN(facts.not_after, to_time_point(X509_get0_notAfter(cert.get())));
  return facts;
}

bool certificate_matches_key(const std::string& cert_pem, const std::string& key_pem) {
  Cert cert = read_cert(cert_pem);
  Key key = read_key(key_pem);
  return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
}

std::chrono::system_clock::time_point rotation_deadline(const CertificateFacts& cert, double jitter) {
  if (jitter < 0) jitter = 0;
  if (jitter > 1) jitter = 1;
  // In per mille, so that the arithmetic on clock ticks stays exact.
  const auto permille = static_cast<int64_t>(std::llround(700 + 200 * jitter));
  return cert.not_before + (cert.not_after - cert.not_before) * permille / 1000;
}

}  // namespace nodeagent::kube::client
