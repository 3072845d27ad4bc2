// Parsing and canonical printing of resource.Quantity (k8s.io/apimachinery/pkg/api/resource).
// Arithmetic is done in 128-bit integers so that "1.5Gi" or "0.1" convert to milli-units exactly.
#include "kube/quantity.h"

#include <array>
#include <cctype>
#include <limits>

namespace nodeagent::kube {
namespace {

__extension__ typedef __int128 Int128;  // GCC/Clang builtin; -Wpedantic wants the marker

constexpr std::string_view kSyntaxError =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// A suffix multiplies the number by base^exponent.
struct Suffix {
  int base = 10;
  int exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

bool parse_suffix(std::string_view s, Suffix& out) {
  static constexpr std::array<std::pair<std::string_view, int>, 9> kDecimal = {{
      {"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}}};
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBinary = {{
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  for (const auto& [name, exp] : kDecimal) {
    if (s == name) { out = {10, exp, Quantity::Format::kDecimalSI}; return true; }
  }
  if (s == "E") { out = {10, 18, Quantity::Format::kDecimalSI}; return true; }
  for (const auto& [name, exp] : kBinary) {
    if (s == name) { out = {2, exp, Quantity::Format::kBinarySI}; return true; }
  }
  // Decimal exponent: e3, E-2, e+6.
  if (s.size() >= 2 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view digits = s.substr(1);
    bool negative = false;
    if (digits[0] == '+' || digits[0] == '-') {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 4) return false;
    int exp = 0;
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      exp = exp * 10 + (c - '0');
    }
    out = {10, negative ? -exp : exp, Quantity::Format::kDecimalExponent};
    return true;
  }
  return false;
}

Int128 pow10(int n) {
  Int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

}  // namespace

Result<Quantity> parse_quantity(std::string_view text) {
  if (text.empty()) return invalid(std::string(kSyntaxError));
  std::string_view s = text;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // Number: digits, optionally one '.', more digits; at least one digit in all.
  size_t i = 0;
  std::string int_digits, frac_digits;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) int_digits += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) frac_digits += s[i++];
  }
  if (int_digits.empty() && frac_digits.empty()) return invalid(std::string(kSyntaxError));
  Suffix suffix;
  if (!parse_suffix(s.substr(i), suffix)) return invalid(std::string(kSyntaxError));

  // Drop insignificant zeros so that the 128-bit arithmetic below only sees real digits.
  while (int_digits.size() > 1 && int_digits[0] == '0') int_digits.erase(0, 1);
  while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.pop_back();
  const std::string digits = int_digits + frac_digits;
  size_t first_significant = digits.find_first_not_of('0');
  if (first_significant == std::string::npos) return Quantity{0, suffix.format};
  if (digits.size() - first_significant > 30) return invalid("quantity too large: " + std::string(text));

  // value = mantissa * 10^-scale * base^exponent; milli = ceil(value * 1000).
  Int128 mantissa = 0;
  for (char c : digits) mantissa = mantissa * 10 + (c - '0');
  int scale = static_cast<int>(frac_digits.size()) - 3;  // the "* 1000" for milli-units
  Int128 numerator = mantissa;
  Int128 denominator = 1;
  const Int128 kLimit = static_cast<Int128>(std::numeric_limits<int64_t>::max());
  auto too_large = [&] { return invalid("quantity too large: " + std::string(text)); };
  if (suffix.base == 2) {
    int bits = 0;
    for (Int128 t = mantissa; t > 0; t >>= 1) ++bits;
    if (bits + suffix.exponent > 120) return too_large();
    numerator = mantissa << suffix.exponent;
  } else {
    scale -= suffix.exponent;
  }
  if (scale < 0) {
    for (int k = 0; k < -scale; ++k) {
      if (numerator > (static_cast<Int128>(1) << 122)) return too_large();
      numerator *= 10;
    }
  } else if (scale > 0) {
    if (scale > 36) {
      // Far below one milli-unit: rounds up to 1m as MilliValue() does.
      return Quantity{negative ? -1 : 1, suffix.format};
    }
    denominator = pow10(scale);
  }
  Int128 milli = numerator / denominator + (numerator % denominator != 0 ? 1 : 0);
  if (milli > kLimit) return too_large();
  int64_t value = static_cast<int64_t>(milli);
  return Quantity{negative ? -value : value, suffix.format};
}

std::string to_string(const Quantity& q) {
  Quantity::Format format = q.format;
  if (format == Quantity::Format::kBinarySI) {
    // Small or fractional values are clearer (and exact) in decimal, as upstream decides.
    if ((q.milli > -1024 * 1000 && q.milli < 1024 * 1000) || q.milli % 1000 != 0) {
      format = Quantity::Format::kDecimalSI;
    }
  }
  if (format == Quantity::Format::kBinarySI) {
    static constexpr std::array<std::string_view, 7> kBinarySuffix = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int64_t v = q.milli / 1000;
    size_t k = 0;
    while (k + 1 < kBinarySuffix.size() && v % 1024 == 0) {
      v /= 1024;
      ++k;
    }
    return std::to_string(v) + std::string(kBinarySuffix[k]);
  }
  if (q.milli == 0) return "0";
  int64_t m = q.milli;
  int exponent = -3;
  while (m % 1000 == 0 && exponent < 18) {
    m /= 1000;
    exponent += 3;
  }
  if (format == Quantity::Format::kDecimalExponent) {
    return exponent == 0 ? std::to_string(m) : std::to_string(m) + "e" + std::to_string(exponent);
  }
  static constexpr std::array<std::string_view, 8> kDecimalSuffix = {"m", "", "k", "M", "G", "T", "P", "E"};
  return std::to_string(m) + std::string(kDecimalSuffix[(exponent + 3) / 3]);
}

}  // namespace nodeagent::kube
