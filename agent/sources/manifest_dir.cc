#include "agent/sources/manifest_dir.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kube/decode.h"
#include "kube/validation.h"
#include "kube/yaml.h"
#include "kube/static_pod.h"
#include "util/log.h"
#include "util/pod_state_dir.h"

namespace nodeagent::sources {

namespace fs = std::filesystem;

namespace {

// How long to wait for a writer that has not closed its file yet before reading it anyway.
constexpr auto kDebounce = std::chrono::milliseconds(50);

// Kubelet reads every regular file in the directory except hidden ones.
bool is_manifest_file(const fs::directory_entry& e) {
  auto name = e.path().filename().string();
  return !name.empty() && name[0] != '.' && e.is_regular_file();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ManifestDirSource::ManifestDirSource(std::string dir, std::string node_name, std::chrono::seconds rescan_period,
                                     SnapshotFn on_snapshot, ProblemFn on_problem, std::string state_dir)
    : dir_(std::move(dir)),
      node_name_(std::move(node_name)),
      rescan_period_(rescan_period),
      on_snapshot_(std::move(on_snapshot)),
      on_problem_(std::move(on_problem)),
      state_dir_(std::move(state_dir)) {}

kube::Time ManifestDirSource::first_seen(const std::string& uid, kube::Time now) const {
  if (state_dir_.empty()) return now;
  const PodStateDir layout(state_dir_);
  const fs::path dir = layout.pod_dir(uid);
  const fs::path file = layout.first_seen_file(uid);
  std::ifstream in(file);
  int64_t nanos = 0;
  if (in >> nanos && nanos > 0) return kube::Time(std::chrono::duration_cast<kube::Time::duration>(std::chrono::nanoseconds(nanos)));
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream(file) << std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  return now;
}

ManifestDirSource::~ManifestDirSource() { stop(); }

ManifestDirSource::FileEntry ManifestDirSource::parse_file(const std::string& path, const std::string& content,
                                                           kube::Time seen) {
  FileEntry entry;
  entry.content = content;
  entry.seen = seen;
  auto report = [&](const std::string& object, const std::string& message, bool warning) {
    if (on_problem_) on_problem_({path, object, message, warning});
  };
  auto docs = kube::parse_documents(content);
  if (!docs.ok()) {
    report("", docs.error().message, false);
    return entry;
  }
  for (size_t i = 0; i < docs->size(); ++i) {
    const auto& doc = (*docs)[i];
    auto decoded = kube::decode_object(doc);
    if (!decoded.ok()) {
      report(fmt::format("document {}", i + 1), decoded.error().message, false);
      continue;
    }
    auto object_name = kube::kind_of(decoded->object) + " " + kube::metadata_of(decoded->object).namespace_ + "/" +
                       kube::metadata_of(decoded->object).name;
    for (const auto& w : decoded->warnings) report(object_name, w, true);
    if (auto* pod = std::get_if<kube::Pod>(&decoded->object)) {
      kube::Pod p = *pod;
      if (auto st = kube::check_pod(p); !st.ok()) {
        report("", st.error().message, false);
        continue;
      }
      auto uid = kube::static_pod_uid(p, node_name_, path);
      entry.parsed.pods.push_back(
          std::make_shared<const kube::Pod>(kube::make_static_pod(std::move(p), node_name_, path, first_seen(uid, seen))));
    } else if (auto* svc = std::get_if<kube::Service>(&decoded->object)) {
      if (auto st = kube::check_service(*svc); !st.ok()) {
        report("", st.error().message, false);
        continue;
      }
      entry.parsed.services.push_back(*svc);
    } else if (auto* slice = std::get_if<kube::EndpointSlice>(&decoded->object)) {
      entry.parsed.endpoint_slices.push_back(*slice);
    } else if (std::holds_alternative<kube::Event>(decoded->object)) {
      report(object_name,
             "only Pod, Service, EndpointSlice, ConfigMap, Secret, PersistentVolume and PersistentVolumeClaim objects "
             "are read from the manifest directory",
             false);
    } else if (kube::metadata_of(decoded->object).name.empty()) {
      report(object_name, "metadata.name: Required value", false);
    } else {
      auto& objects = entry.parsed.objects;
      std::visit([&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, kube::ConfigMap>) objects.config_maps.push_back(std::move(o));
        else if constexpr (std::is_same_v<T, kube::Secret>) objects.secrets.push_back(std::move(o));
        else if constexpr (std::is_same_v<T, kube::PersistentVolume>) objects.persistent_volumes.push_back(std::move(o));
        else if constexpr (std::is_same_v<T, kube::PersistentVolumeClaim>)
          objects.persistent_volume_claims.push_back(std::move(o));
      }, decoded->object);
    }
  }
  return entry;
}

ManifestSnapshot ManifestDirSource::scan() {
  std::lock_guard lock(mu_);
  std::set<std::string> present;
  std::error_code ec;
  if (fs::is_directory(dir_, ec)) {
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
      if (!is_manifest_file(e)) continue;
      auto path = e.path().string();
      present.insert(path);
      auto content = read_file(path);
      auto it = files_.find(path);
      if (it != files_.end() && it->second.content == content) continue;  // unchanged: no re-report
      files_[path] = parse_file(path, content, std::chrono::system_clock::now());
    }
  }
  std::erase_if(files_, [&](const auto& kv) { return !present.count(kv.first); });

  ManifestSnapshot snap;
  std::set<std::string> names;  // namespace/name must be unique across files, as for kubelet
  for (const auto& [path, entry] : files_) {
    for (const auto& pod : entry.parsed.pods) {
      auto key = pod->metadata.namespace_ + "/" + pod->metadata.name;
      if (!names.insert(key).second) {
        if (on_problem_)
          on_problem_({path, "pod " + key, "a pod with this name is already defined in another manifest file", false});
        continue;
      }
      snap.pods.push_back(pod);
    }
    snap.services.insert(snap.services.end(), entry.parsed.services.begin(), entry.parsed.services.end());
    snap.endpoint_slices.insert(snap.endpoint_slices.end(), entry.parsed.endpoint_slices.begin(),
                                entry.parsed.endpoint_slices.end());
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(snap.objects.config_maps, entry.parsed.objects.config_maps);
    append(snap.objects.secrets, entry.parsed.objects.secrets);
    append(snap.objects.persistent_volumes, entry.parsed.objects.persistent_volumes);
    append(snap.objects.persistent_volume_claims, entry.parsed.objects.persistent_volume_claims);
  }
  return snap;
}

void ManifestDirSource::start() {
  if (thread_.joinable()) return;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  stopping_ = false;
  thread_ = std::thread([this] { watch_loop(); });
}

void ManifestDirSource::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof(one)) < 0) { /* the loop also wakes on its own timeout */ }
  thread_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

void ManifestDirSource::watch_loop() {
  auto logger = log::get("sources");
  int ino = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  int wd = -1;
  auto add_watch = [&] {
    if (wd >= 0 || ino < 0) return;
    wd = ::inotify_add_watch(ino, dir_.c_str(),
                             IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                                 IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB);
    if (wd < 0) logger->warn("cannot watch {}: {} (rescanning every {}s)", dir_, std::strerror(errno), rescan_period_.count());
  };
  add_watch();
  on_snapshot_(scan());
  auto next_rescan = std::chrono::steady_clock::now() + rescan_period_;
  char buf[16 * 1024];
  while (!stopping_) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {ino, POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_rescan - std::chrono::steady_clock::now());
    int n = ::poll(fds, ino >= 0 ? 2 : 1, static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (stopping_) break;
    bool changed = false;
    if (n > 0 && ino >= 0 && (fds[1].revents & POLLIN)) {
      // Rescan at once when every file touched is complete (renamed in, closed after writing,
      // deleted); while one is still being written (created or modified, not yet closed), wait
      // for the writer, at most kDebounce per quiet period, so a half-written file is not read.
      std::set<std::string> being_written;
      do {
        ssize_t len;
        while ((len = ::read(ino, buf, sizeof(buf))) > 0) {
          for (char* p = buf; p < buf + len;) {
            auto* ev = reinterpret_cast<inotify_event*>(p);
            std::string name = ev->len ? std::string(ev->name) : std::string();
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) wd = -1;
            if (ev->mask & (IN_CREATE | IN_MODIFY)) being_written.insert(name);
            if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM)) being_written.erase(name);
            p += sizeof(inotify_event) + ev->len;
          }
        }
        changed = true;
      } while (!being_written.empty() && !stopping_ && ::poll(&fds[1], 1, static_cast<int>(kDebounce.count())) > 0);
    }
    if (std::chrono::steady_clock::now() >= next_rescan) {
      changed = true;
      next_rescan = std::chrono::steady_clock::now() + rescan_period_;
      add_watch();  // the directory may have been created (or re-created) since
    }
    if (changed) on_snapshot_(scan());
  }
  if (ino >= 0) ::close(ino);
}

}  // namespace nodeagent::sources
