// Container lifecycle over containerd: create, start, stop, remove, status, list (exec is in
// container_exec.cc). See container_service.h.
#include "runtime/containerd/container_service.h"

#include <charconv>
#include <csignal>
#include <fstream>

#include <fmt/format.h>

#include "util/log.h"
#include "runtime/cgroups/cgroupfs_oom.h"
#include "runtime/containerd/proto_time.h"
#include "runtime/containerd/stdio.h"
#include "runtime/oci/capabilities.h"
#include "runtime/oci/spec_builder.h"

namespace nodeagent::runtime::ctd {
namespace {

namespace task_types = ::containerd::v1::types;

const std::string kLabelLogPath = std::string(kInternalLabelPrefix) + "log-path";
const std::string kLabelLogMaxSize = std::string(kInternalLabelPrefix) + "log-max-size";
const std::string kLabelLogMaxFiles = std::string(kInternalLabelPrefix) + "log-max-files";
const std::string kLabelTty = std::string(kInternalLabelPrefix) + "tty";
const std::string kLabelStartedAt = std::string(kInternalLabelPrefix) + "started-at";  // unix ns
// The exit of a container whose task was released (release_exited): what the task said.
const std::string kLabelExitCode = std::string(kInternalLabelPrefix) + "exit-code";
const std::string kLabelFinishedAt = std::string(kInternalLabelPrefix) + "finished-at";  // unix ns
const std::string kLabelOomKilled = std::string(kInternalLabelPrefix) + "oom-killed";

std::string what(const std::string& id, const char* action) { return fmt::format("container {}: {}", id, action); }

bool is_not_found(const Status& s) { return !s.ok() && s.error().code == ErrorCode::kNotFound; }

std::string label_or(const google::protobuf::Map<std::string, std::string>& labels, const std::string& key,
                     const std::string& fallback) {
  auto it = labels.find(key);
  return it == labels.end() ? fallback : it->second;
}

int64_t parse_int_or(const std::string& s, int64_t fallback) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return (ec == std::errc() && end == s.data() + s.size()) ? v : fallback;
}

std::optional<TimePoint> parse_unix_nanos(const std::string& s) {
  int64_t ns = parse_int_or(s, -1);
  if (ns < 0) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

// Go-style quoting for a containerd filter value.
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string label_filter(const Labels& selector) {
  std::string filter;
  for (const auto& [key, value] : selector) {
    if (!filter.empty()) filter += ",";
    filter += "labels." + quote(key) + "==" + quote(value);
  }
  return filter;
}

std::vector<std::string> own_bounding_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapBnd:", 0) == 0) return oci::capabilities_from_mask(std::stoull(line.substr(7), nullptr, 16));
  }
  return {};
}

ContainerdContainerService::ContainerdContainerService(std::shared_ptr<Connection> connection,
                                                       ContainerServiceOptions options)
    : connection_(std::move(connection)), options_(std::move(options)) {
  if (options_.logger_path.empty()) options_.logger_path = default_logger_path();
  if (options_.available_capabilities.empty()) options_.available_capabilities = own_bounding_capabilities();
  if (!options_.oom_source) {
    // Without cgroups there is nothing to read: TaskOOM events stay the only source.
    if (auto host = cgroups::make_cgroupfs_oom_source(); host.ok()) options_.oom_source = std::move(host).value();
  }
  if (options_.watch_oom_events) {
    oom_events_ = std::make_unique<ContainerdEventStream>(connection_);
    oom_events_->start([this](const ContainerEvent& event) {
      if (event.kind != ContainerEventKind::kOOM) return;
      std::lock_guard<std::mutex> lock(mu_);
      oom_killed_.insert(event.container_id);
    });
  }
}

ContainerdContainerService::~ContainerdContainerService() {
  if (oom_events_) oom_events_->stop();
}

Status ContainerdContainerService::prepare_snapshot(const ContainerConfig& config, const Lease& lease) {
  api::snapshots::PrepareSnapshotRequest req;
  req.set_snapshotter(options_.snapshotter);
  req.set_key(config.id);
  req.set_parent(config.image.chain_id);
  api::snapshots::PrepareSnapshotResponse resp;
  auto ctx = lease.context();
  grpc::Status s = connection_->snapshots().Prepare(ctx.get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    // A snapshot without its container is what a crash between the two calls leaves behind.
    if (get_container(config.id).ok()) return Error{ErrorCode::kAlreadyExists, what(config.id, "create: already exists")};
    remove_snapshot(options_.snapshotter, config.id).ignore_error();  // Prepare below reports
    auto retry_ctx = lease.context();
    s = connection_->snapshots().Prepare(retry_ctx.get(), req, &resp);
  }
  return check_grpc(s, what(config.id, "prepare snapshot") + " (parent " + config.image.chain_id + ")");
}

Status ContainerdContainerService::create_container(const ContainerConfig& original) {
  if (original.id.empty()) return invalid("container: id must not be empty");
  if (original.image.chain_id.empty()) return invalid(what(original.id, "image.chain_id: must not be empty"));
  ContainerConfig config = original;
  // A terminal needs somewhere to go; without a log the container runs without one.
  if (config.log_path.empty()) config.tty = false;
  oci::SpecOptions spec_options;
  spec_options.available_capabilities = options_.available_capabilities;
  NA_ASSIGN_OR_RETURN(nlohmann::json spec, oci::build_oci_spec(config, spec_options));

  // The lease keeps the new snapshot from the GC until the container record references it.
  NA_ASSIGN_OR_RETURN(Lease lease, Lease::create(connection_, std::chrono::hours(1)));
  NA_RETURN_IF_ERROR(prepare_snapshot(config, lease));

  api::containers::CreateContainerRequest req;
  Container* c = req.mutable_container();
  c->set_id(config.id);
  c->set_image(config.image_ref);
  c->mutable_runtime()->set_name(options_.runtime);
  c->mutable_spec()->set_type_url(kSpecTypeUrl);
  c->mutable_spec()->set_value(spec.dump());
  c->set_snapshotter(options_.snapshotter);
  c->set_snapshot_key(config.id);
  auto& labels = *c->mutable_labels();
  for (const auto& [k, v] : config.labels) labels[k] = v;
  if (!config.log_path.empty()) {
    labels[kLabelLogPath] = config.log_path;
    labels[kLabelLogMaxSize] = std::to_string(config.log_max_size_bytes);
    labels[kLabelLogMaxFiles] = std::to_string(config.log_max_files);
  }
  labels[kLabelTty] = config.tty ? "true" : "false";

  api::containers::CreateContainerResponse resp;
  auto ctx = lease.context();
  grpc::Status s = connection_->containers().Create(ctx.get(), req, &resp);
  if (!s.ok()) {
    Error err = from_grpc(s, what(config.id, "create"));
    // The snapshot is ours only if the container is not someone else's.
    if (err.code != ErrorCode::kAlreadyExists) remove_snapshot(options_.snapshotter, config.id).ignore_error();
    return err;
  }
  log::get("runtime")->debug("container={} created (image {})", config.id, config.image_ref);
  return ok_status();
}

Result<uint32_t> ContainerdContainerService::start_container(const std::string& id) {
  NA_ASSIGN_OR_RETURN(Container container, get_container(id));

  api::snapshots::MountsRequest mreq;
  mreq.set_snapshotter(container.snapshotter());
  mreq.set_key(container.snapshot_key());
  api::snapshots::MountsResponse mresp;
  auto mctx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->snapshots().Mounts(mctx.get(), mreq, &mresp), what(id, "rootfs mounts")));

  api::tasks::CreateTaskRequest creq;
  creq.set_container_id(id);
  *creq.mutable_rootfs() = mresp.mounts();
  const auto& labels = container.labels();
  std::string log_path = label_or(labels, kLabelLogPath, "");
  if (!log_path.empty()) {
    std::string uri = binary_log_uri(options_.logger_path, log_path,
                                     parse_int_or(label_or(labels, kLabelLogMaxSize, ""), 10 << 20),
                                     static_cast<int>(parse_int_or(label_or(labels, kLabelLogMaxFiles, ""), 5)));
    creq.set_stdout(uri);
    creq.set_stderr(uri);
    creq.set_terminal(label_or(labels, kLabelTty, "false") == "true");
  }
  api::tasks::CreateTaskResponse cresp;
  auto cctx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->tasks().Create(cctx.get(), creq, &cresp), what(id, "create task")));

  api::tasks::StartRequest sreq;
  sreq.set_container_id(id);
  api::tasks::StartResponse sresp;
  auto sctx = connection_->context();
  grpc::Status s = connection_->tasks().Start(sctx.get(), sreq, &sresp);
  if (!s.ok()) {
    Error err = from_grpc(s, what(id, "start task"));
    delete_task(id, "delete unstarted task").ignore_error();
    return err;
  }

  // containerd keeps no start time: record it on the container, where a restarted agent finds it.
  auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  Status recorded = set_labels(id, {{kLabelStartedAt, std::to_string(now_ns.count())}}, "record start time");
  if (!recorded.ok()) log::get("runtime")->warn("{}", recorded.error().message);

  log::get("runtime")->debug("container={} started pid={}", id, sresp.pid());
  return sresp.pid();
}

Status ContainerdContainerService::stop_container(const std::string& id, int signal, std::chrono::seconds grace) {
  return stop_containers({{id, signal}}, grace);
}

Status ContainerdContainerService::signal_container(const std::string& id, int signal) {
  NA_ASSIGN_OR_RETURN(auto task, get_task(id));
  if (!task || task->status() == task_types::STOPPED) return ok_status();
  Status sent = kill(id, "", signal, signal == SIGKILL);
  if (is_not_found(sent)) return ok_status();  // exited meanwhile
  return sent;
}

Status ContainerdContainerService::stop_containers(const std::vector<StopRequest>& requests, std::chrono::seconds grace) {
  std::optional<Error> first_error;
  auto keep = [&](const Status& st) {
    if (!st.ok() && !first_error) first_error = st.error();
  };
  // 1. Signal every running one.
  std::vector<std::string> signalled;
  for (const auto& r : requests) {
    auto task = get_task(r.id);
    if (!task.ok()) {
      keep(task.error());
      continue;
    }
    if (!*task || (*task)->status() == task_types::STOPPED) continue;
    Status sent = kill(r.id, "", r.signal, false);
    if (is_not_found(sent)) continue;  // exited meanwhile
    keep(sent);
    if (sent.ok()) signalled.push_back(r.id);
  }
  // 2. One shared grace period: waiting for one in turn costs the others nothing, as all got
  // their signal at once.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<std::string> running;
  for (const auto& id : signalled) {
    if (grace.count() <= 0) {  // no grace: straight to SIGKILL
      running.push_back(id);
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    // At least 1 ms: a zero timeout means no deadline to wait().
    auto exited = wait(id, "", std::max(left, std::chrono::milliseconds(1)));
    if (exited.ok() || exited.error().code == ErrorCode::kNotFound) continue;
    if (exited.error().code == ErrorCode::kDeadlineExceeded) running.push_back(id);
    else keep(exited.error());
  }
  // 3. SIGKILL what is left.
  for (const auto& id : running) {
    log::get("runtime")->info("container={} still running after {}s grace: SIGKILL", id, grace.count());
    Status killed = kill(id, "", SIGKILL, true);
    if (is_not_found(killed)) continue;
    keep(killed);
    if (killed.ok()) {
      auto exited = wait(id, "", options_.kill_timeout);
      if (!exited.ok()) keep(exited.error());
    }
  }
  if (first_error) return *first_error;
  return ok_status();
}

Status ContainerdContainerService::release_exited(const std::string& id) {
  NA_ASSIGN_OR_RETURN(Container container, get_container(id));
  NA_ASSIGN_OR_RETURN(auto task, get_task(id));
  if (!task) return ok_status();
  if (task->status() != task_types::STOPPED) return Error{ErrorCode::kFailedPrecondition, what(id, "release: the task has not exited")};
  // The OOM verdict needs the task's cgroup, which goes with the task: read it first.
  const ContainerState exited = to_state(container, task);
  Labels labels = {{kLabelExitCode, std::to_string(exited.exit_code)},
                   {kLabelOomKilled, exited.oom_killed ? "true" : "false"}};
  if (exited.finished_at) {
    labels[kLabelFinishedAt] =
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(exited.finished_at->time_since_epoch()).count());
  }
  NA_RETURN_IF_ERROR(set_labels(id, labels, "record exit"));
  // The shim closes the stdio pipes and waits for the logger to drain them before it answers.
  return delete_task(id, "delete exited task");
}

Status ContainerdContainerService::set_labels(const std::string& id, const Labels& labels, const char* action) {
  api::containers::UpdateContainerRequest req;
  req.mutable_container()->set_id(id);
  for (const auto& [key, value] : labels) {
    (*req.mutable_container()->mutable_labels())[key] = value;
    req.mutable_update_mask()->add_paths("labels." + key);
  }
  api::containers::UpdateContainerResponse resp;
  auto ctx = connection_->context();
  return check_grpc(connection_->containers().Update(ctx.get(), req, &resp), what(id, action));
}

Status ContainerdContainerService::delete_task(const std::string& id, const char* action) {
  api::tasks::DeleteTaskRequest req;
  req.set_container_id(id);
  api::tasks::DeleteResponse resp;
  auto ctx = connection_->context();
  Status deleted = check_grpc(connection_->tasks().Delete(ctx.get(), req, &resp), what(id, action));
  if (!deleted.ok() && !is_not_found(deleted)) return deleted;
  return ok_status();
}

Status ContainerdContainerService::remove_container(const std::string& id) {
  NA_ASSIGN_OR_RETURN(auto task, get_task(id));
  if (task && task->status() != task_types::STOPPED) {
    Status killed = kill(id, "", SIGKILL, true);
    if (!killed.ok() && !is_not_found(killed)) return killed;
    auto exited = wait(id, "", options_.kill_timeout);
    if (!exited.ok() && exited.error().code != ErrorCode::kNotFound) return exited.error();
  }
  if (task) NA_RETURN_IF_ERROR(delete_task(id, "delete task"));

  std::string snapshotter = options_.snapshotter;
  std::string snapshot_key = id;
  auto container = get_container(id);
  if (container.ok()) {
    if (!container->snapshotter().empty()) snapshotter = container->snapshotter();
    if (!container->snapshot_key().empty()) snapshot_key = container->snapshot_key();
    api::containers::DeleteContainerRequest req;
    req.set_id(id);
    google::protobuf::Empty empty;
    auto ctx = connection_->context();
    Status deleted = check_grpc(connection_->containers().Delete(ctx.get(), req, &empty), what(id, "delete"));
    if (!deleted.ok() && !is_not_found(deleted)) return deleted;
  } else if (container.error().code != ErrorCode::kNotFound) {
    return container.error();
  }

  Status removed = remove_snapshot(snapshotter, snapshot_key);
  if (!removed.ok() && !is_not_found(removed)) return removed.error().wrap(what(id, "remove snapshot"));

  std::lock_guard<std::mutex> lock(mu_);
  oom_killed_.erase(id);
  return ok_status();
}

Result<ContainerState> ContainerdContainerService::container_status(const std::string& id) {
  NA_ASSIGN_OR_RETURN(Container container, get_container(id));
  NA_ASSIGN_OR_RETURN(auto task, get_task(id));
  return to_state(container, task);
}

Result<std::vector<ContainerState>> ContainerdContainerService::list_containers(const Labels& selector) {
  api::containers::ListContainersRequest creq;
  if (!selector.empty()) creq.add_filters(label_filter(selector));
  api::containers::ListContainersResponse cresp;
  auto cctx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->containers().List(cctx.get(), creq, &cresp), "list containers"));

  // One Tasks.List instead of a Tasks.Get per container.
  api::tasks::ListTasksRequest treq;
  api::tasks::ListTasksResponse tresp;
  auto tctx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->tasks().List(tctx.get(), treq, &tresp), "list tasks"));
  std::map<std::string, const Process*> tasks;
  for (const auto& t : tresp.tasks()) tasks[t.id()] = &t;

  std::vector<ContainerState> out;
  for (const auto& c : cresp.containers()) {
    auto it = tasks.find(c.id());
    std::optional<Process> task;
    if (it != tasks.end()) task = *it->second;
    out.push_back(to_state(c, task));
  }
  return out;
}

ContainerState ContainerdContainerService::to_state(const Container& container, const std::optional<Process>& task) {
  ContainerState st;
  st.id = container.id();
  st.image_ref = container.image();
  st.created_at = to_time_point(container.created_at());
  st.started_at = parse_unix_nanos(label_or(container.labels(), kLabelStartedAt, ""));
  for (const auto& [k, v] : container.labels()) {
    if (k.rfind(kInternalLabelPrefix, 0) != 0) st.labels[k] = v;
  }
  if (!task) {
    // Released after its exit (release_exited), never started, or its task was deleted behind
    // our back (then it has run and is gone).
    st.state = st.started_at ? ContainerStateKind::kExited : ContainerStateKind::kCreated;
    const auto& labels = container.labels();
    if (labels.count(kLabelExitCode)) {
      st.exit_code = static_cast<int32_t>(parse_int_or(label_or(labels, kLabelExitCode, ""), 0));
      st.finished_at = parse_unix_nanos(label_or(labels, kLabelFinishedAt, ""));
      st.oom_killed = label_or(labels, kLabelOomKilled, "") == "true";
      st.state = ContainerStateKind::kExited;
    }
    return st;
  }
  st.pid = task->pid();
  switch (task->status()) {
    case task_types::CREATED: st.state = ContainerStateKind::kCreated; break;
    case task_types::RUNNING:
    case task_types::PAUSED:
    case task_types::PAUSING: st.state = ContainerStateKind::kRunning; break;
    case task_types::STOPPED: st.state = ContainerStateKind::kExited; break;
    default: st.state = ContainerStateKind::kUnknown; break;
  }
  if (st.state == ContainerStateKind::kExited) {
    st.task_held = true;
    st.exit_code = static_cast<int32_t>(task->exit_status());
    st.finished_at = to_time_point(task->exited_at());
    st.oom_killed = oom_seen(st.id);
    if (!st.oom_killed) {
      // The event may be late or lost (stream reconnect); the cgroup still knows while the task exists.
      auto spec = nlohmann::json::parse(container.spec().value(), nullptr, false);
      if (!spec.is_discarded() && options_.oom_source) {
        st.oom_killed = options_.oom_source->oom_killed(spec["linux"].value("cgroupsPath", std::string()));
      }
    }
  }
  return st;
}

bool ContainerdContainerService::oom_seen(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return oom_killed_.count(id) > 0;
}

Status ContainerdContainerService::remove_snapshot(const std::string& snapshotter, const std::string& key) {
  api::snapshots::RemoveSnapshotRequest req;
  req.set_snapshotter(snapshotter);
  req.set_key(key);
  google::protobuf::Empty empty;
  auto ctx = connection_->context();
  return check_grpc(connection_->snapshots().Remove(ctx.get(), req, &empty), "snapshot " + key);
}

Result<ContainerdContainerService::Container> ContainerdContainerService::get_container(const std::string& id) {
  api::containers::GetContainerRequest req;
  req.set_id(id);
  api::containers::GetContainerResponse resp;
  auto ctx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->containers().Get(ctx.get(), req, &resp), what(id, "get")));
  return resp.container();
}

Result<std::optional<ContainerdContainerService::Process>> ContainerdContainerService::get_task(const std::string& id) {
  api::tasks::GetRequest req;
  req.set_container_id(id);
  api::tasks::GetResponse resp;
  auto ctx = connection_->context();
  grpc::Status s = connection_->tasks().Get(ctx.get(), req, &resp);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<Process>();
  if (!s.ok()) return from_grpc(s, what(id, "get task"));
  return std::optional<Process>(resp.process());
}

Status ContainerdContainerService::kill(const std::string& id, const std::string& exec_id, int signal, bool all) {
  api::tasks::KillRequest req;
  req.set_container_id(id);
  req.set_exec_id(exec_id);
  req.set_signal(static_cast<uint32_t>(signal));
  req.set_all(all);
  google::protobuf::Empty empty;
  auto ctx = connection_->context();
  return check_grpc(connection_->tasks().Kill(ctx.get(), req, &empty),
                    what(id, exec_id.empty() ? "kill" : "kill exec"));
}

Result<std::string> ContainerdContainerService::log_path_of(const std::string& id) {
  NA_ASSIGN_OR_RETURN(Container c, get_container(id));
  return label_or(c.labels(), kLabelLogPath, "");
}

Result<uint32_t> ContainerdContainerService::wait(const std::string& id, const std::string& exec_id,
                                                  std::chrono::milliseconds timeout) {
  api::tasks::WaitRequest req;
  req.set_container_id(id);
  req.set_exec_id(exec_id);
  api::tasks::WaitResponse resp;
  auto ctx = timeout.count() > 0 ? connection_->context(timeout) : connection_->stream_context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->tasks().Wait(ctx.get(), req, &resp), what(id, "wait")));
  return resp.exit_status();
}

}  // namespace nodeagent::runtime::ctd
