// In-memory fakes of runtime::ImageService and runtime::ContainerService for unit tests: they
// keep state in maps, record calls (also into a shared CallLog, when given one), and return
// injected errors. Thread-safe (a gRPC server calls them from its own threads).
#pragma once

#include <algorithm>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/pods/pod_runtime_state.h"
#include "runtime/runtime.h"
#include "test/fakes/call_log.h"

namespace nodeagent::fakes {

class FakeImageService : public runtime::ImageService {
 public:
  void add_image(runtime::ImageInfo image) {
    std::lock_guard lock(mu_);
    images_.push_back(std::move(image));
  }

  Result<runtime::ImageInfo> image_status(const std::string& ref) override {
    std::lock_guard lock(mu_);
    if (log) log->add("images.status " + ref);
    if (auto* i = find(ref)) return *i;
    return not_found("image \"" + ref + "\" not found");
  }
  Result<runtime::ImageInfo> pull_image(const std::string& ref, const runtime::RegistryAuth& auth) override {
    std::lock_guard lock(mu_);
    pulls.push_back({ref, auth.username, auth.password});
    if (log) log->add("images.pull " + ref);
    if (pull_error) return *pull_error;
    if (auto* i = find(ref)) return *i;
    runtime::ImageInfo image;
    image.id = "sha256:" + std::string(64, 'a' + static_cast<char>(images_.size() % 26));
    image.repo_tags = {ref};
    image.size = 1234567;
    images_.push_back(image);
    return image;
  }
  Result<std::vector<runtime::ImageInfo>> list_images() override {
    std::lock_guard lock(mu_);
    return images_;
  }
  Status remove_image(const std::string& ref) override {
    std::lock_guard lock(mu_);
    auto it = std::find_if(images_.begin(), images_.end(), [&](const auto& i) { return matches(i, ref); });
    if (it == images_.end()) return not_found("image \"" + ref + "\" not found");
    images_.erase(it);
    return ok_status();
  }
  Result<std::vector<runtime::ImageInfo>> import_archive(const std::string& path, const std::string& name) override {
    std::lock_guard lock(mu_);
    imports.push_back({path, name});
    if (import_error) return *import_error;
    runtime::ImageInfo image;
    image.id = "sha256:" + std::string(64, 'f');
    image.repo_tags = {name.empty() ? "import-" + path : name};
    images_.push_back(image);
    return std::vector<runtime::ImageInfo>{image};
  }

  struct Pull {
    std::string ref, username, password;
  };
  struct Import {
    std::string path, name;
  };
  std::vector<Pull> pulls;
  std::vector<Import> imports;
  std::optional<Error> pull_error;
  std::optional<Error> import_error;
  CallLog* log = nullptr;  // optional, shared with other fakes

 private:
  static bool matches(const runtime::ImageInfo& i, const std::string& ref) {
    return i.id == ref || std::find(i.repo_tags.begin(), i.repo_tags.end(), ref) != i.repo_tags.end();
  }
  runtime::ImageInfo* find(const std::string& ref) {
    for (auto& i : images_) {
      if (matches(i, ref)) return &i;
    }
    return nullptr;
  }

  std::mutex mu_;
  std::vector<runtime::ImageInfo> images_;
};

class FakeContainerService : public runtime::ContainerService {
 public:
  // What an exec returns: output chunks (stderr flag, data) then the exit code.
  struct ExecScript {
    std::vector<std::pair<bool, std::string>> output;
    int32_t exit_code = 0;
    bool timed_out = false;
  };

  void set_state(runtime::ContainerState state) {
    std::lock_guard lock(mu_);
    names_[state.id] = label_name(state.labels, state.id);
    states_[state.id] = std::move(state);
  }
  void set_exec(const std::string& id, ExecScript script) {
    std::lock_guard lock(mu_);
    execs_[id] = std::move(script);
  }

  // Ends a container as its task would: exited with `exit_code` at `finished_at`, the task
  // still held until release_exited (what containerd reports before the CRI deletes the task).
  void exit_container(const std::string& id, int32_t exit_code, runtime::TimePoint finished_at,
                      bool task_held = true) {
    std::lock_guard lock(mu_);
    auto& s = states_.at(id);
    s.state = runtime::ContainerStateKind::kExited;
    s.exit_code = exit_code;
    s.finished_at = finished_at;
    s.pid = 0;
    s.task_held = task_held;
  }
  // The container name label of `id` (or the id, for one never seen).
  std::string name_of(const std::string& id) {
    std::lock_guard lock(mu_);
    return name_locked(id);
  }

  Status create_container(const runtime::ContainerConfig& config) override {
    std::lock_guard lock(mu_);
    created_.push_back(config);
    names_[config.id] = label_name(config.labels, config.id);
    record("create", config.id);
    if (auto e = faults.take("create")) return *e;
    runtime::ContainerState s;
    s.id = config.id;
    s.state = runtime::ContainerStateKind::kCreated;
    s.image_ref = config.image_ref;
    s.labels = config.labels;
    states_[config.id] = s;
    return ok_status();
  }
  Result<uint32_t> start_container(const std::string& id) override {
    std::lock_guard lock(mu_);
    record("start", id);
    if (auto e = faults.take("start")) return *e;
    auto it = states_.find(id);
    if (it == states_.end()) return not_found("container " + id + " not found");
    it->second.state = runtime::ContainerStateKind::kRunning;
    it->second.pid = 4242;
    return it->second.pid;
  }
  Status stop_container(const std::string& id, int signal, std::chrono::seconds grace) override {
    std::lock_guard lock(mu_);
    stops_.push_back({id, name_locked(id), signal, grace});
    record("stop", id);
    if (auto e = faults.take("stop")) return *e;
    auto it = states_.find(id);
    if (it != states_.end()) it->second.state = runtime::ContainerStateKind::kExited;
    return ok_status();
  }
  // Recorded as a stop with no grace. The container exits, unless it ignores `signal`
  // (ignore_signal()); SIGKILL always ends it.
  Status signal_container(const std::string& id, int signal) override {
    std::lock_guard lock(mu_);
    stops_.push_back({id, name_locked(id), signal, std::chrono::seconds(0)});
    record("signal", id);
    if (auto e = faults.take("stop")) return *e;
    auto it = states_.find(id);
    if (it != states_.end() && (signal == SIGKILL || !ignored_.count(id)))
      it->second.state = runtime::ContainerStateKind::kExited;
    return ok_status();
  }
  // The container keeps running after any signal but SIGKILL.
  void ignore_signals(const std::string& id) {
    std::lock_guard lock(mu_);
    ignored_.insert(id);
  }
  // Each request is recorded as a stop with the shared grace; one failing does not stop the rest.
  Status stop_containers(const std::vector<StopRequest>& requests, std::chrono::seconds grace) override {
    std::optional<Error> first;
    for (const auto& r : requests)
      if (auto st = stop_container(r.id, r.signal, grace); !st.ok() && !first) first = st.error();
    if (first) return *first;
    return ok_status();
  }
  Status remove_container(const std::string& id) override {
    std::lock_guard lock(mu_);
    record("remove", id);
    if (auto e = faults.take("remove")) return *e;
    states_.erase(id);
    return ok_status();
  }
  Status release_exited(const std::string& id) override {
    std::lock_guard lock(mu_);
    record("release", id);
    auto it = states_.find(id);
    if (it != states_.end()) it->second.task_held = false;
    released_.push_back(id);
    return ok_status();
  }
  std::vector<std::string> released() {
    std::lock_guard lock(mu_);
    return released_;
  }
  Result<runtime::ContainerState> container_status(const std::string& id) override {
    std::lock_guard lock(mu_);
    record("status", id);
    auto it = states_.find(id);
    if (it == states_.end()) return not_found("container " + id + " not found");
    return it->second;
  }
  Result<std::vector<runtime::ContainerState>> list_containers(const runtime::Labels& selector) override {
    std::lock_guard lock(mu_);
    if (log) log->add("containers.list");
    if (auto e = faults.take("list")) return *e;
    std::vector<runtime::ContainerState> out;
    for (const auto& [id, s] : states_) {
      bool all = std::all_of(selector.begin(), selector.end(), [&](const auto& kv) {
        auto l = s.labels.find(kv.first);
        return l != s.labels.end() && l->second == kv.second;
      });
      if (all) out.push_back(s);
    }
    return out;
  }
  Result<runtime::ExecResult> exec_sync(const std::string& id, const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout) override {
    NA_ASSIGN_OR_RETURN(ExecScript script, script_for(id, argv, timeout));
    runtime::ExecResult r;
    for (const auto& [is_stderr, data] : script.output) (is_stderr ? r.stderr_data : r.stdout_data) += data;
    r.exit_code = script.exit_code;
    r.timed_out = script.timed_out;
    return r;
  }
  Result<int32_t> exec_stream(const std::string& id, const std::vector<std::string>& argv,
                              const OutputFn& on_output) override {
    NA_ASSIGN_OR_RETURN(ExecScript script, script_for(id, argv, std::chrono::milliseconds(0)));
    for (const auto& [is_stderr, data] : script.output) on_output(is_stderr, data);
    return script.exit_code;
  }

  struct ExecCall {
    std::string id;
    std::vector<std::string> argv;
    std::chrono::milliseconds timeout{0};
  };
  std::vector<ExecCall> exec_calls() {
    std::lock_guard lock(mu_);
    return exec_calls_;
  }

  struct StopCall {
    std::string id, name;
    int signal = 0;
    std::chrono::seconds grace{0};
  };
  // Every create_container config (the env, mounts and labels the syncer built), in call order.
  std::vector<runtime::ContainerConfig> created() {
    std::lock_guard lock(mu_);
    return created_;
  }
  std::vector<StopCall> stops() {
    std::lock_guard lock(mu_);
    return stops_;
  }

  // Calls that can be made to fail: create, start, stop, remove, list.
  Faults faults{{"create", "start", "stop", "remove", "list"}};
  CallLog* log = nullptr;  // optional, shared with other fakes; entries name the container

 private:
  static std::string label_name(const runtime::Labels& labels, const std::string& fallback) {
    auto it = labels.find(pods::labels::kContainerName);
    return it == labels.end() ? fallback : it->second;
  }
  std::string name_locked(const std::string& id) const {
    auto it = names_.find(id);
    return it == names_.end() ? id : it->second;
  }
  void record(const std::string& call, const std::string& id) {
    if (log) log->add("containers." + call + " " + name_locked(id));
  }

  Result<ExecScript> script_for(const std::string& id, const std::vector<std::string>& argv,
                                std::chrono::milliseconds timeout) {
    std::lock_guard lock(mu_);
    exec_calls_.push_back({id, argv, timeout});
    auto it = execs_.find(id);
    if (it == execs_.end()) return not_found("container " + id + " has no exec script");
    return it->second;
  }

  std::mutex mu_;
  std::map<std::string, runtime::ContainerState> states_;
  std::map<std::string, std::string> names_;  // id -> container name, for the log
  std::map<std::string, ExecScript> execs_;
  std::vector<runtime::ContainerConfig> created_;
  std::vector<StopCall> stops_;
  std::set<std::string> ignored_;
  std::vector<ExecCall> exec_calls_;
  std::vector<std::string> released_;
};

}  // namespace nodeagent::fakes
