// Upstream's name validators (k8s.io/apimachinery/pkg/util/validation/validation.go).
#include "kube/names.h"

#include <arpa/inet.h>

#include "util/ipv4.h"

namespace nodeagent::kube {
namespace {

std::string max_len_error(size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

// upstream RegexError(): "<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')".
std::string regex_error(const std::string& msg, const std::string& re, const std::vector<std::string>& examples) {
  std::string out = msg;
  if (!examples.empty()) {
    out += " (e.g. ";
    for (size_t i = 0; i < examples.size(); ++i) {
      if (i > 0) out += ",  or ";
      out += "'" + examples[i] + "'";
    }
    out += ", ";
  } else {
    out += " (";
  }
  return out + "regex used for validation is '" + re + "')";
}

// Hand-written matchers for upstream's regexes (std::regex is slow, and GCC 12 warns inside it
// under the sanitizer build). Each comment gives the regex it implements.
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?   (dns1035: first char [a-z])
bool match_label(std::string_view v, bool first_must_be_letter) {
  if (v.empty() || !is_lower_alnum(v.front()) || !is_lower_alnum(v.back())) return false;
  if (first_must_be_letter && !(v.front() >= 'a' && v.front() <= 'z')) return false;
  for (char c : v) {
    if (!is_lower_alnum(c) && c != '-') return false;
  }
  return true;
}

// label(\.label)*
bool match_subdomain(std::string_view v) {
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    if (!match_label(v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start), false)) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool match_qualified_name(std::string_view v) {
  if (v.empty() || !is_alnum(v.front()) || !is_alnum(v.back())) return false;
  for (char c : v) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// [-._a-zA-Z0-9]+
bool match_config_map_key(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// [-._a-zA-Z][-._a-zA-Z0-9]*
bool match_env_var_name(std::string_view v) {
  if (v.empty() || (!is_alpha(v.front()) && v.front() != '-' && v.front() != '_' && v.front() != '.')) return false;
  return match_config_map_key(v);
}

const std::string kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const std::string kDns1123SubdomainFmt = kDns1123LabelFmt + "(\\." + kDns1123LabelFmt + ")*";
const std::string kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const std::string kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const std::string kLabelValueFmt = "(" + kQualifiedNameFmt + ")?";
const std::string kConfigMapKeyFmt = "[-._a-zA-Z0-9]+";
const std::string kEnvVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";

}  // namespace

Messages is_dns1123_label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!match_label(value, false)) {
    errs.push_back(regex_error("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                               "'-', and must start and end with an alphanumeric character",
                               kDns1123LabelFmt, {"my-name", "123-abc"}));
  }
  return errs;
}

Messages is_dns1123_subdomain(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  if (!match_subdomain(value)) {
    errs.push_back(regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                               "'-' or '.', and must start and end with an alphanumeric character",
                               kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

Messages is_dns1035_label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!match_label(value, true)) {
    errs.push_back(regex_error("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                               "with an alphabetic character, and end with an alphanumeric character",
                               kDns1035LabelFmt, {"my-name", "abc-123"}));
  }
  return errs;
}

Messages is_valid_port_name(std::string_view port) {
  Messages errs;
  if (port.size() > 15) errs.push_back(max_len_error(15));
  bool only_valid = true, has_letter = false;
  for (char c : port) {
    if (c >= 'a' && c <= 'z') has_letter = true;
    else if (!((c >= '0' && c <= '9') || c == '-')) only_valid = false;
  }
  if (!only_valid) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!has_letter) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

Messages is_valid_port_num(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {"must be between 1 and 65535, inclusive"};
}

Messages is_qualified_name(std::string_view value) {
  const std::string name_msg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
                               "and end with an alphanumeric character";
  Messages errs;
  std::string_view name = value;
  auto slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back(regex_error("a qualified name " + name_msg, kQualifiedNameFmt,
                                 {"MyName", "my.name", "123-abc"}) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& m : is_dns1123_subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + max_len_error(63));
  }
  if (!name.empty() && !match_qualified_name(name)) {
    errs.push_back(regex_error(name_msg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

Messages is_valid_label_value(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(max_len_error(63));
  if (!value.empty() && !match_qualified_name(value)) {
    errs.push_back(regex_error("a valid label must be an empty string or consist of alphanumeric characters, '-', "
                               "'_' or '.', and must start and end with an alphanumeric character",
                               kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

Messages is_relaxed_env_var_name(std::string_view value) {
  Messages errs;
  if (value.empty()) errs.push_back("environment variable name must not be empty");
  for (char c : value) {
    if (c < 32 || c > 126 || c == '=') {
      errs.push_back("a valid environment variable name must consist only of printable ASCII characters other "
                     "than '='");
      break;
    }
  }
  return errs;
}

Messages is_env_var_name(std::string_view value) {
  Messages errs;
  if (!match_env_var_name(value)) {
    errs.push_back(regex_error("a valid environment variable name must consist of alphabetic characters, digits, "
                               "'_', '-', or '.', and must not start with a digit",
                               kEnvVarNameFmt, {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  if (value == ".") errs.push_back("must not be '.'");
  else if (value == "..") errs.push_back("must not be '..'");
  else if (value.substr(0, 2) == "..") errs.push_back("must not start with '..'");
  return errs;
}

Messages is_config_map_key(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(max_len_error(253));
  if (!match_config_map_key(value)) {
    errs.push_back(regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                               kConfigMapKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  if (value == ".") errs.push_back("must not be '.'");
  else if (value == "..") errs.push_back("must not be '..'");
  else if (value.substr(0, 2) == "..") errs.push_back("must not start with '..'");
  return errs;
}

Messages is_valid_ip(std::string_view value) {
  if (Ipv4::parse(value).ok()) return {};
  // IPv6: only validated here (nothing else parses it), so inet_pton directly.
  std::string s(value);
  unsigned char buf[16];
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return {};
  return {"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"};
}

Messages is_valid_user_id(int64_t id) {
  if (id >= 0 && id <= 2147483647) return {};
  return {"must be between 0 and 2147483647, inclusive"};
}

Messages is_valid_group_id(int64_t id) { return is_valid_user_id(id); }

}  // namespace nodeagent::kube
