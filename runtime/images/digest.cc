// SHA-256 through OpenSSL's EVP interface (the low-level SHA256_* calls are deprecated in 3.0).
#include "runtime/images/digest.h"

#include <cassert>

#include <openssl/evp.h>

namespace nodeagent::runtime::images {
namespace {

std::string to_digest(const unsigned char* md, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

}  // namespace

struct Sha256Stream::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  // Only allocation can fail here; that is not an environmental error we could handle.
  [[maybe_unused]] int ok = EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr);
  assert(state_->ctx != nullptr && ok == 1);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(state_->ctx); }

void Sha256Stream::update(std::string_view chunk) {
  EVP_DigestUpdate(state_->ctx, chunk.data(), chunk.size());
  bytes_ += static_cast<int64_t>(chunk.size());
}

std::string Sha256Stream::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, md, &len);
  return to_digest(md, len);
}

std::string sha256_digest(std::string_view data) {
  Sha256Stream stream;
  stream.update(data);
  return stream.finish();
}

}  // namespace nodeagent::runtime::images
