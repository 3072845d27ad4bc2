// StatusManager (see status_manager.h): cache, change detection, persistence, notifications.
#include "agent/status/status_manager.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/status/conditions.h"
#include "kube/decode.h"
#include "kube/encode.h"
#include "util/atomic_file.h"
#include "util/log.h"
#include "util/pod_state_dir.h"

namespace nodeagent::status {

namespace {

namespace fs = std::filesystem;

// What "changed" compares: the status without the timestamps kubelet ignores for that purpose
// (a condition whose status, reason and message are the same has not changed).
std::string fingerprint(const kube::PodStatus& status) {
  kube::PodStatus normalized = status;
  for (auto& c : normalized.conditions) {
    if (!is_kubelet_condition(c.type)) continue;
    c.last_probe_time.reset();
    c.last_transition_time.reset();
  }
  return kube::encode(normalized).dump();
}

// A pod uid becomes a directory name: refuse anything that could leave <root>/pods.
bool is_safe_uid(const std::string& uid) {
  return !uid.empty() && uid != "." && uid != ".." && uid.find('/') == std::string::npos &&
         uid.find('\0') == std::string::npos;
}

Result<kube::PodStatus> read_status_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return errno_error("open " + path.string(), errno);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto json = nlohmann::json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return invalid(path.string() + ": not valid JSON");
  // Files written before the kube codec (by the removed agent/status/status_json.cc) have the
  // same API shape.
  auto status = kube::decode_pod_status(json);
  if (!status.ok()) return status.error().wrap(path.string());
  return std::move(status->object);
}

}  // namespace

StatusManager::StatusManager(std::string root_dir) : root_dir_(std::move(root_dir)) {
  notifier_ = std::thread([this] { notifier_loop(); });
}

StatusManager::~StatusManager() { stop(); }

void StatusManager::stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(notify_mu_);
    stopping_ = true;
  }
  notify_cv_.notify_all();
  if (notifier_.joinable()) notifier_.join();
}

std::string StatusManager::status_path(const std::string& pod_uid) const {
  return PodStateDir(root_dir_).status_file(pod_uid);
}

Status StatusManager::persist(const std::string& pod_uid, const kube::PodStatus& status) const {
  if (root_dir_.empty()) return ok_status();
  std::error_code ec;
  const std::string dir = PodStateDir(root_dir_).pod_dir(pod_uid);
  fs::create_directories(dir, ec);
  if (ec) return internal("create " + dir + ": " + ec.message());
  return write_file_atomically(status_path(pod_uid), kube::encode(status).dump(2) + "\n");
}

Result<LoadReport> StatusManager::load_all() {
  LoadReport report;
  if (root_dir_.empty()) return report;
  const fs::path pods_dir = PodStateDir(root_dir_).pods_dir();
  std::error_code ec;
  if (!fs::exists(pods_dir, ec)) return report;
  fs::directory_iterator it(pods_dir, ec);
  if (ec) return internal("read " + pods_dir.string() + ": " + ec.message());

  std::lock_guard write_lock(write_mu_);
  for (const auto& dir : it) {
    const fs::path file = dir.path() / "status.json";
    if (!dir.is_directory(ec) || !fs::exists(file, ec)) continue;
    auto status = read_status_file(file);
    if (!status.ok()) {
      report.errors.push_back(status.error().message);
      log::get("status")->warn("skipping saved pod status: {}", status.error().message);
      continue;
    }
    const std::string uid = dir.path().filename().string();
    {
      std::lock_guard lock(mu_);
      Entry& entry = entries_[uid];
      entry.fingerprint = fingerprint(*status);
      entry.status = std::move(status).value();
      entry.version = next_version_++;
      entry.persisted = true;
    }
    announce(uid);
    ++report.loaded;
  }
  return report;
}

bool StatusManager::set_pod_status(const std::string& pod_uid, kube::PodStatus status) {
  if (!is_safe_uid(pod_uid)) {
    log::get("status")->error("refusing status for invalid pod uid \"{}\"", pod_uid);
    return false;
  }
  std::lock_guard write_lock(write_mu_);
  bool changed = false;
  bool needs_persist = false;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(pod_uid);
    if (it != entries_.end() && it->second.status.start_time) {
      status.start_time = it->second.status.start_time;  // set once, never moved
    }
    std::string fp = fingerprint(status);
    if (it == entries_.end() || it->second.fingerprint != fp) {
      Entry& entry = entries_[pod_uid];
      entry.status = status;
      entry.fingerprint = std::move(fp);
      entry.version = next_version_++;
      entry.persisted = false;
      changed = true;
    }
    needs_persist = !entries_[pod_uid].persisted;
    if (needs_persist) status = entries_[pod_uid].status;
  }
  if (needs_persist) {
    Status written = persist(pod_uid, status);
    if (written.ok()) {
      std::lock_guard lock(mu_);
      auto it = entries_.find(pod_uid);
      if (it != entries_.end()) it->second.persisted = true;
    } else {
      log::get("status")->error("uid={} saving pod status: {}", pod_uid, written.error().message);
    }
  }
  if (changed) announce(pod_uid);
  return changed;
}

std::optional<kube::PodStatus> StatusManager::get_pod_status(const std::string& pod_uid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(pod_uid);
  if (it == entries_.end()) return std::nullopt;
  return it->second.status;
}

std::optional<VersionedStatus> StatusManager::get_versioned(const std::string& pod_uid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(pod_uid);
  if (it == entries_.end()) return std::nullopt;
  return VersionedStatus{it->second.status, it->second.version};
}

std::map<std::string, uint64_t> StatusManager::versions() const {
  std::lock_guard lock(mu_);
  std::map<std::string, uint64_t> out;
  for (const auto& [uid, entry] : entries_) out[uid] = entry.version;
  return out;
}

void StatusManager::remove(const std::string& pod_uid) {
  std::lock_guard write_lock(write_mu_);
  bool existed = false;
  {
    std::lock_guard lock(mu_);
    existed = entries_.erase(pod_uid) > 0;
  }
  if (!root_dir_.empty() && is_safe_uid(pod_uid)) {
    std::error_code ec;
    fs::remove(status_path(pod_uid), ec);
    if (ec) log::get("status")->warn("uid={} removing {}: {}", pod_uid, status_path(pod_uid), ec.message());
  }
  if (existed) announce(pod_uid);
}

StatusManager::ListenerId StatusManager::add_listener(Listener listener) {
  std::lock_guard lock(notify_mu_);
  ListenerId id = next_listener_id_++;
  listeners_[id] = std::move(listener);
  return id;
}

void StatusManager::remove_listener(ListenerId id) {
  {
    std::lock_guard lock(notify_mu_);
    listeners_.erase(id);
  }
  // Wait for a dispatch in progress to end, unless we are that dispatch.
  if (std::this_thread::get_id() != notifier_.get_id()) std::lock_guard wait(dispatch_mu_);
}

void StatusManager::announce(const std::string& pod_uid) {
  {
    std::lock_guard lock(notify_mu_);
    pending_.insert(pod_uid);
  }
  notify_cv_.notify_one();
}

void StatusManager::notifier_loop() {
  // Lock order: dispatch_mu_ before notify_mu_, never the other way round.
  while (true) {
    std::vector<std::string> changed;
    {
      std::unique_lock lock(notify_mu_);
      notify_cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      changed.assign(pending_.begin(), pending_.end());
      pending_.clear();
    }
    std::lock_guard dispatch(dispatch_mu_);
    std::vector<std::pair<ListenerId, Listener>> listeners;
    {
      std::lock_guard lock(notify_mu_);
      listeners.assign(listeners_.begin(), listeners_.end());
    }
    for (const auto& [id, listener] : listeners) {
      {
        // Skip a listener removed while earlier ones ran.
        std::lock_guard check(notify_mu_);
        if (listeners_.count(id) == 0) continue;
      }
      listener(changed);
    }
  }
}

}  // namespace nodeagent::status
