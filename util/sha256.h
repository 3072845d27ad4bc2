// SHA-256 of a string as lowercase hex, optionally cut to its first `hex_chars` characters.
// Used for names that must be stable and unique: static pod UIDs, container ids.
#pragma once

#include <string>
#include <string_view>

namespace nodeagent {

std::string sha256_hex(std::string_view data, size_t hex_chars = 64);

}  // namespace nodeagent
