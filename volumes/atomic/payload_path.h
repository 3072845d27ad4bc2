// Validation of the relative paths a payload writes, with kubelet's words (atomic_writer.go
// validatePath): not empty, not absolute, no ".." element, no leading "..name" element (those
// names belong to the writer: ..data, ..<timestamp>), at most 4096 characters, names at most 255.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::volumes {

[[nodiscard]] Status validate_payload_path(const std::string& path);
// The path as the writer stores it (filepath.Clean): "a//b/./c" -> "a/b/c".
std::string clean_payload_path(const std::string& path);

}  // namespace nodeagent::volumes
