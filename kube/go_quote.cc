// go_quote (see go_quote.h), after strconv.appendQuotedWith.
#include "kube/go_quote.h"

#include <fmt/format.h>

namespace nodeagent::kube {

namespace {

// Length of the valid UTF-8 sequence at s[i] (0 when invalid) and its code point.
size_t utf8_sequence(const std::string& s, size_t i, uint32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = b & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as Go decodes them.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

}  // namespace

std::string go_quote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (c < 0x20 || c == 0x7F) out += fmt::format("\\x{:02x}", c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = utf8_sequence(s, i, cp);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    // C1 controls, non-ASCII spaces and format characters, which Go does not print; other runes print as they are.
    if (cp <= 0xA0 || cp == 0xAD || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
        (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF)
      out += fmt::format("\\u{:04x}", cp);
    else
      out += s.substr(i, len);
    i += len;
  }
  return out + "\"";
}

}  // namespace nodeagent::kube
