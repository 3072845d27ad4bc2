// The binder's table as JSON (see binding_file.h).
#include "volumes/binding/binding_file.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"

namespace nodeagent::volumes::binding {

using nlohmann::json;

Result<BindingTable> load_bindings(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return BindingTable{};
    return errno_error("read " + path, errno);
  }
  std::stringstream text;
  text << in.rdbuf();
  BindingTable table;
  try {
    auto doc = json::parse(text.str());
    for (const auto& b : doc.at("bindings"))
      table[b.at("volume").get<std::string>()] =
          ClaimKey{b.at("namespace").get<std::string>(), b.at("name").get<std::string>(), b.value("uid", "")};
  } catch (const json::exception& e) {
    return invalid(path + ": " + e.what());
  }
  return table;
}

Status save_bindings(const std::string& path, const BindingTable& table) {
  json list = json::array();
  for (const auto& [pv, claim] : table)
    list.push_back({{"volume", pv}, {"namespace", claim.ns}, {"name", claim.name}, {"uid", claim.uid}});
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return internal("create " + std::filesystem::path(path).parent_path().string() + ": " + ec.message());
  return write_file_atomically(path, json{{"bindings", list}}.dump(2) + "\n", {.mode = 0600, .skip_if_unchanged = true});
}

}  // namespace nodeagent::volumes::binding
