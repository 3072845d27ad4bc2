// A whole small file (a token, a certificate, a key) as text; the error names the path.
#pragma once

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "util/result.h"

namespace nodeagent {

inline Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error(path, errno);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nodeagent
