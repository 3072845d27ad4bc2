// Argument parsing for nodeagent-logger (see logger_options.h).
#include "runtime/logs/logger_options.h"

#include <charconv>
#include <map>

namespace nodeagent::runtime::logs {

Result<int64_t> parse_size(const std::string& text) {
  int64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || number < 0) return invalid("size '" + text + "': not a non-negative number");
  static const std::map<std::string, int64_t> kUnits = {
      {"", 1},          {"k", 1000},       {"K", 1000},        {"Ki", 1024},
      {"M", 1000000},   {"Mi", 1 << 20},   {"G", 1000000000},  {"Gi", int64_t{1} << 30}};
  const auto unit = kUnits.find(std::string(rest, end));
  if (unit == kUnits.end()) return invalid("size '" + text + "': unknown unit");
  return number * unit->second;
}

Result<LoggerOptions> parse_logger_args(const std::vector<std::string>& args) {
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string key = args[i];
    while (!key.empty() && key[0] == '-') key.erase(0, 1);
    std::string value;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return invalid("nodeagent-logger: argument '" + key + "' has no value");
    }
    values[key] = value;
  }
  LoggerOptions options;
  for (const auto& [key, value] : values) {
    if (key == "path") {
      options.path = value;
    } else if (key == "max-size") {
      auto size = parse_size(value);
      if (!size.ok()) return size.error().wrap("nodeagent-logger: max-size");
      options.rotation.max_size = *size;
    } else if (key == "max-files") {
      int files = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), files);
      if (ec != std::errc() || end != value.data() + value.size() || files < 1) {
        return invalid("nodeagent-logger: max-files: '" + value + "' is not a number >= 1");
      }
      options.rotation.max_files = files;
    } else if (key == "max-line-size") {
      auto size = parse_size(value);
      if (!size.ok()) return size.error().wrap("nodeagent-logger: max-line-size");
      if (*size < 1) return invalid("nodeagent-logger: max-line-size: must be >= 1");
      options.max_line_size = static_cast<size_t>(*size);
    } else {
      return invalid("nodeagent-logger: unknown argument '" + key + "'");
    }
  }
  if (options.path.empty()) return invalid("nodeagent-logger: path: required");
  if (options.path[0] != '/') return invalid("nodeagent-logger: path: '" + options.path + "' is not absolute");
  return options;
}

}  // namespace nodeagent::runtime::logs
