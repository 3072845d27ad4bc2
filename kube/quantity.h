// resource.Quantity: "250m", "1.5", "64Mi", "1G", "1e3" parsed exactly as Kubernetes does, stored
// as an integer number of milli-units (millicores for cpu, milli-bytes for memory), and printed
// back in Kubernetes' canonical form ("1.5" -> "1500m", "1e3" -> "1e3", "2048Ki" -> "2Mi").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nodeagent::kube {

struct Quantity {
  // How the value was written; decides the suffix family of the canonical form.
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  int64_t milli = 0;  // value * 1000, rounded up (as Quantity.MilliValue() does)
  Format format = Format::kDecimalSI;

  // Whole units rounded up, as Quantity.Value(): cpu "250m" -> 1, memory "64Mi" -> 67108864.
  int64_t value() const { return milli / 1000 + ((milli % 1000) > 0 ? 1 : 0); }
  int64_t milli_value() const { return milli; }
  bool is_zero() const { return milli == 0; }

  static Quantity from_milli(int64_t milli, Format format = Format::kDecimalSI) { return {milli, format}; }
  static Quantity from_value(int64_t value, Format format = Format::kDecimalSI) { return {value * 1000, format}; }

  friend bool operator==(const Quantity& a, const Quantity& b) { return a.milli == b.milli; }
  friend auto operator<=>(const Quantity& a, const Quantity& b) { return a.milli <=> b.milli; }
};

// Parses a quantity; errors read like the API server's ("quantities must match the regular
// expression ..."). Values beyond int64 milli-units (about 9.2 PB) are rejected as too large.
Result<Quantity> parse_quantity(std::string_view text);

// Canonical string, as the API server returns it.
std::string to_string(const Quantity& q);

}  // namespace nodeagent::kube
