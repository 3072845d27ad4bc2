#include "util/sha256.h"

#include <openssl/sha.h>

namespace nodeagent {

std::string sha256_hex(std::string_view data, size_t hex_chars) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 0xf];
  }
  if (hex_chars < out.size()) out.resize(hex_chars);
  return out;
}

}  // namespace nodeagent
