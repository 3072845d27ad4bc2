#include "probes/engine/result_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/log.h"

namespace nodeagent::probes {

std::optional<PersistedPod> FileResultStore::load(const std::string& pod_uid) {
  std::ifstream in(path_of_(pod_uid));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    log::get("probes")->warn("pod uid={}: ignoring unreadable probe results {}", pod_uid, path_of_(pod_uid));
    return std::nullopt;
  }
  PersistedPod pod;
  for (const auto& [name, c] : j.items()) {
    if (!c.is_object()) continue;
    PersistedContainer pc;
    pc.container_id = c.value("containerID", "");
    pc.ready = c.value("ready", false);
    pc.started = c.value("started", false);
    pod[name] = pc;
  }
  return pod;
}

void FileResultStore::save(const std::string& pod_uid, const PersistedPod& pod) {
  const std::string path = path_of_(pod_uid);
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::path(path).parent_path(), ec)) return;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, c] : pod) j[name] = {{"containerID", c.container_id}, {"ready", c.ready}, {"started", c.started}};
  AtomicWriteOptions options;
  options.skip_if_unchanged = true;
  if (auto st = write_file_atomically(path, j.dump(), options); !st.ok())
    log::get("probes")->warn("pod uid={}: probe results not saved: {}", pod_uid, st.error().message);
}

}  // namespace nodeagent::probes
