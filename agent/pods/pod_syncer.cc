#include "agent/pods/pod_syncer.h"

#include <sys/stat.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <future>

#include <fmt/format.h>

#include "agent/pods/container_config.h"
#include "agent/pods/container_ids.h"
#include "agent/pods/pod_actions.h"
#include "kube/node_affinity.h"
#include "kube/pod_util.h"
#include "volumes/emptydir/usage.h"
#include "util/failpoint.h"
#include "util/log.h"
#include "util/remove_tree.h"
#include "network/podfiles/pod_hostname.h"

namespace nodeagent::pods {

namespace fs = std::filesystem;

namespace {

constexpr auto kRetrySoon = std::chrono::seconds(2);
// How often a container past its grace period gets SIGKILL again while it lingers.
constexpr auto kKillRecheck = std::chrono::seconds(1);
// How often emptyDir usage is measured against sizeLimit (kubelet's eviction monitoring interval).
constexpr auto kStorageCheck = std::chrono::seconds(10);
// CreateContainerConfigError and friends: retried as the referenced objects may appear.
constexpr auto kConfigRetry = std::chrono::seconds(5);

std::string pod_name(const kube::Pod& pod) { return pod.metadata.namespace_ + "/" + pod.metadata.name; }

// Sysctls kubelet allows without --allowed-unsafe-sysctls.
bool is_safe_sysctl(const std::string& name) {
  static const std::set<std::string> safe = {
      "kernel.shm_rmid_forced",        "net.ipv4.ip_local_port_range",   "net.ipv4.tcp_syncookies",
      "net.ipv4.ping_group_range",     "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
      "net.ipv4.tcp_keepalive_time",   "net.ipv4.tcp_fin_timeout",       "net.ipv4.tcp_keepalive_intvl",
      "net.ipv4.tcp_keepalive_probes"};
  return safe.count(name) > 0;
}

void set_waiting_all(const kube::Pod& pod, PodRuntimeState& state, const std::string& reason, const std::string& msg) {
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers})
    for (const auto& c : *list)
      if (!state.latest(c.name)) state.waiting[c.name] = {reason, msg};
}

void min_requeue(SyncResult& r, std::chrono::milliseconds d) {
  if (!r.requeue_after || d < *r.requeue_after) r.requeue_after = d;
}

runtime::Mount bind_mount(const std::string& container_path, const std::string& host_path) {
  runtime::Mount m;
  m.container_path = container_path;
  m.host_path = host_path;
  return m;
}

bool mounts_own(const kube::Container& c, const std::string& path) {
  for (const auto& m : c.volume_mounts)
    if (m.mount_path == path) return true;
  return false;
}

}  // namespace

PodSyncer::PodSyncer(SyncerConfig config, SyncerDeps deps)
    : config_(std::move(config)),
      deps_(deps),
      crash_backoff_(*deps.clock),
      pull_backoff_(*deps.clock),
      sandbox_backoff_(*deps.clock, std::chrono::seconds(1), std::chrono::seconds(60)),
      volume_backoff_(*deps.clock, std::chrono::milliseconds(500), std::chrono::milliseconds(122'000)) {}

// A failed volume set-up is retried as kubelet's volume manager retries an operation: after
// 500 ms, doubling up to 2m2s (nestedpendingoperations' exponential back-off). Most failures
// are brief (a token refused until the Node authorizer sees the pod, an object not cached yet).
std::chrono::milliseconds PodSyncer::volume_retry(const std::string& uid) {
  volume_backoff_.next("volume/" + uid, deps_.clock->now());
  return volume_backoff_.delay("volume/" + uid);
}

PodSyncer::PodRecord& PodSyncer::record(const std::string& uid) {
  std::lock_guard lock(mu_);
  return records_[uid];  // std::map: references stay valid while other pods come and go
}

void PodSyncer::event(const kube::Pod& pod, const std::string& type, const std::string& reason, const std::string& msg) {
  if (deps_.events) deps_.events->record(pod, type, reason, msg);
  auto logger = log::get("pods");
  if (type == "Warning") logger->warn("pod={} uid={} {}: {}", pod_name(pod), pod.metadata.uid, reason, msg);
  else logger->info("pod={} uid={} {}: {}", pod_name(pod), pod.metadata.uid, reason, msg);
}

// kubelet's admission (canAdmitPod): the first handler that refuses decides. A refused pod is
// Failed with the handler's reason, its status message "Pod was rejected: <message>" (rejectPod),
// and nothing of it runs.
void PodSyncer::admit(const kube::Pod& pod, PodRecord& rec) {
  rec.admitted = true;
  if (!pod.spec.node_name.empty() && pod.spec.node_name != config_.node_name) {
    rec.rejection_reason = "NodeName";
    rec.rejection_message = "Predicate NodeName failed: node(s) didn't match the requested node name";
  } else if (!kube::matches_node_selector_and_affinity(pod, {config_.node_name, config_.node_labels})) {
    rec.rejection_reason = "NodeAffinity";
    rec.rejection_message = "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector";
  } else if (pod.spec.os && pod.spec.os->name == "windows") {
    rec.rejection_reason = "PodOSNotSupported";
    rec.rejection_message = "Pod attempted to use an OS (windows) that is not supported by the node (linux)";
  } else if (pod.spec.security_context) {
    for (const auto& s : pod.spec.security_context->sysctls) {
      if (is_safe_sysctl(s.name)) continue;
      rec.rejection_reason = "SysctlForbidden";
      rec.rejection_message = fmt::format("forbidden sysctl: \"{}\" not allowlisted", s.name);
      break;
    }
  }
  if (!rec.rejection_reason.empty()) {
    rec.finished = true;
    event(pod, "Warning", rec.rejection_reason, rec.rejection_message);
    rec.rejection_message = "Pod was rejected: " + rec.rejection_message;
  }
}

std::chrono::seconds PodSyncer::grace_period(const kube::Pod& pod) const {
  if (pod.metadata.deletion_grace_period_seconds) return std::chrono::seconds(*pod.metadata.deletion_grace_period_seconds);
  return std::chrono::seconds(pod.spec.termination_grace_period_seconds.value_or(30));
}

Status PodSyncer::ensure_sandbox(const kube::Pod& pod, PodRecord& rec) {
  const auto& uid = pod.metadata.uid;
  NA_ASSIGN_OR_RETURN(auto host, network::pod_hostname(pod, config_.cluster_domain));
  rec.hostname = host.hostname;
  if (deps_.cgroups) {
    NA_RETURN_IF_ERROR(deps_.cgroups->ensure(pod));
    rec.cgroup_ready = true;
  }
  runtime::SandboxConfig sc;
  sc.pod_uid = uid;
  sc.hostname = pod.spec.host_network ? config_.node_facts.hostname : host.hostname;
  sc.host_network = pod.spec.host_network;
  sc.host_ipc = pod.spec.host_ipc;
  sc.host_pid = pod.spec.host_pid;
  sc.share_process_namespace = pod.spec.share_process_namespace.value_or(false);
  NA_ASSIGN_OR_RETURN(rec.sandbox, deps_.sandboxes->ensure_sandbox(sc));
  if (deps_.network) {
    NA_ASSIGN_OR_RETURN(rec.net, deps_.network->setup(pod, rec.sandbox));
  }
  NA_ASSIGN_OR_RETURN(auto files, network::render_pod_files(pod, rec.net.pod_ips, config_.node_facts));
  for (const auto& w : files.warnings) event(pod, "Warning", "DNSConfigForming", w);
  NA_ASSIGN_OR_RETURN(rec.files, network::write_pod_files(config_.paths.pod_dir(uid) + "/etc", files));
  rec.sandbox_ready = true;
  rec.sandbox_torn_down = false;
  return ok_status();
}

Result<runtime::ImageInfo> PodSyncer::ensure_image(const kube::Pod& pod, const kube::Container& c,
                                                   PodRuntimeState& state, SyncResult& result) {
  const auto& image = c.image;
  auto present = deps_.images->image_status(image);
  const auto& policy = c.image_pull_policy;
  if (present.ok() && policy != "Always") {
    return present;
  }
  if (!present.ok() && present.error().code != ErrorCode::kNotFound) return present.error();
  if (policy == "Never") {
    auto msg = fmt::format("Container image \"{}\" is not present with pull policy of Never", image);
    state.waiting[c.name] = {"ErrImageNeverPull", msg};
    event(pod, "Warning", "ErrImageNeverPull", msg);
    return invalid(msg);
  }
  auto key = "pull/" + pod.metadata.uid + "/" + image;
  auto now = deps_.clock->now();
  if (pull_backoff_.in_backoff_since_update(key)) {
    auto msg = fmt::format("Back-off pulling image \"{}\"", image);
    state.waiting[c.name] = {"ImagePullBackOff", msg};
    event(pod, "Normal", "BackOff", msg);
    min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(pull_backoff_.delay(key)));
    return unavailable(msg);
  }
  event(pod, "Normal", "Pulling", fmt::format("Pulling image \"{}\"", image));
  auto started = std::chrono::steady_clock::now();
  auto pulled = deps_.images->pull_image(image, runtime::RegistryAuth{});
  if (!pulled.ok()) {
    // With policy Always and the image present, a failed pull still fails the start, as kubelet.
    pull_backoff_.next(key, now);
    auto msg = fmt::format("Failed to pull image \"{}\": {}", image, pulled.error().message);
    state.waiting[c.name] = {"ErrImagePull", msg};
    event(pod, "Warning", "Failed", msg);
    min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(pull_backoff_.delay(key)));
    return pulled.error();
  }
  pull_backoff_.reset(key);
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  event(pod, "Normal", "Pulled", fmt::format("Successfully pulled image \"{}\" in {:.3f}s", image, took));
  return pulled;
}

// What the pod's volumes see of it through the downward API.
volumes::PodVolumeContext PodSyncer::volume_context(const PodRecord& rec) const {
  volumes::PodVolumeContext ctx;
  ctx.downward.node_name = config_.node_name;
  ctx.downward.host_ip = rec.net.host_ip;
  ctx.downward.pod_ips = rec.net.pod_ips;
  ctx.downward.pod_ip = rec.net.pod_ips.empty() ? "" : rec.net.pod_ips.front();
  ctx.downward.node_allocatable_cpu_millis = config_.node_cpu_millis;
  ctx.downward.node_allocatable_memory_bytes = config_.node_memory_bytes;
  return ctx;
}

Status PodSyncer::start_container(const kube::Pod& pod, const kube::Container& c, const ContainerToStart& what,
                                  PodRecord& rec, PodRuntimeState& state, SyncResult& result) {
  const auto& uid = pod.metadata.uid;
  auto image = ensure_image(pod, c, state, result);
  if (!image.ok()) return image.error();
  rec.image_ids[c.image] = image->id;

  if (what.restart) {
    const auto* last = state.latest(c.name);
    crash_backoff_.next(backoff_key(pod, c.name), last && last->state.finished_at ? *last->state.finished_at : deps_.clock->now());
  }

  ContainerContext ctx;
  ctx.node_name = config_.node_name;
  ctx.container_id = container_id_for(uid, c.name, what.attempt);
  ctx.attempt = what.attempt;
  ctx.init = what.init;
  ctx.image = *image;
  ctx.image_ref = image->repo_tags.empty() ? c.image : image->repo_tags.front();
  ctx.sandbox = rec.sandbox;
  if (pod.spec.host_network && ctx.sandbox.netns_path.empty()) ctx.sandbox.netns_path = config_.node_netns_path;
  ctx.hostname = rec.hostname;
  ctx.pod_ips = rec.net.pod_ips;
  ctx.pod_ip = rec.net.pod_ips.empty() ? "" : rec.net.pod_ips.front();
  ctx.host_ip = rec.net.host_ip;
  if (deps_.cgroups && rec.cgroup_ready) ctx.cgroups_path = deps_.cgroups->container_cgroups_path(pod, ctx.container_id);
  ctx.log_path = config_.paths.log_path(pod, c.name, what.attempt);
  ctx.node_allocatable_cpu_millis = config_.node_cpu_millis;
  ctx.node_allocatable_memory_bytes = config_.node_memory_bytes;
  ctx.min_oom_score_adj = config_.min_oom_score_adj;
  ctx.objects = deps_.objects;
  if (deps_.services)
    ctx.service_env = service_env_vars(deps_.services->services(), pod.metadata.namespace_,
                                       pod.spec.enable_service_links.value_or(true));

  auto fail = [&](const std::string& reason, const Error& err) -> Status {
    state.waiting[c.name] = {reason, err.message};
    min_requeue(result, kConfigRetry);
    event(pod, "Warning", "Failed", "Error: " + err.message);
    return err;
  };

  // Pod files, unless the container brings its own (kubelet leaves those alone).
  std::vector<runtime::Mount> mounts;
  if (!mounts_own(c, "/etc/hosts")) mounts.push_back(bind_mount("/etc/hosts", rec.files.hosts));
  if (!mounts_own(c, "/etc/hostname")) mounts.push_back(bind_mount("/etc/hostname", rec.files.hostname));
  if (!mounts_own(c, "/etc/resolv.conf")) mounts.push_back(bind_mount("/etc/resolv.conf", rec.files.resolv_conf));
  if (!c.termination_message_path.empty()) {
    auto path = config_.paths.termination_log(uid, c.name, what.attempt);
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    std::ofstream(path, std::ios::trunc).close();
    ::chmod(path.c_str(), 0666);  // writable by any container user, as kubelet makes it
    mounts.push_back(bind_mount(c.termination_message_path, path));
  }
  // The env first: subPathExpr expands with it.
  std::vector<std::string> env_warnings;
  auto env = build_env(pod, c, ctx, &env_warnings);
  if (!env.ok()) return fail("CreateContainerConfigError", env.error());
  for (const auto& warning : env_warnings) event(pod, "Warning", "InvalidEnvironmentVariableNames", warning);
  ctx.env = *env;
  volumes::ContainerMountContext mount_ctx;
  for (const auto& kv : *env) {
    auto eq = kv.find('=');
    mount_ctx.env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  auto volume_mounts = deps_.volumes->container_mounts(pod, c, mount_ctx);
  if (!volume_mounts.ok()) return fail("CreateContainerConfigError", volume_mounts.error());
  mounts.insert(mounts.end(), volume_mounts->begin(), volume_mounts->end());
  ctx.mounts = std::move(mounts);

  std::error_code ec;
  fs::create_directories(fs::path(ctx.log_path).parent_path(), ec);

  auto cfg = build_container_config(pod, c, ctx);
  if (!cfg.ok()) return fail("CreateContainerConfigError", cfg.error());
  auto devices = deps_.volumes->container_devices(pod, c);
  if (!devices.ok()) return fail("CreateContainerConfigError", devices.error());
  cfg->devices = std::move(devices).value();
  cfg->log_max_size_bytes = config_.log_max_size_bytes;
  cfg->log_max_files = config_.log_max_files;

  // A create that failed half-way (or an agent killed mid-create) leaves this id behind.
  deps_.containers->remove_container(ctx.container_id).ignore_error();
  if (auto st = deps_.containers->create_container(*cfg); !st.ok()) return fail("CreateContainerError", st.error());
  event(pod, "Normal", "Created", "Created container " + c.name);
  auto pid = deps_.containers->start_container(ctx.container_id);
  if (!pid.ok()) {
    deps_.containers->remove_container(ctx.container_id).ignore_error();
    crash_backoff_.next(backoff_key(pod, c.name), deps_.clock->now());
    return fail("RunContainerError", pid.error());
  }
  state.waiting.erase(c.name);
  event(pod, "Normal", "Started", "Started container " + c.name);
  // postStart runs before the next container starts; a failed hook kills the container, whose
  // restart policy then applies (kubelet's FailedPostStartHook). The event leaves the hook's
  // message out, as kubelet's does (it may hold secrets); the waiting reason carries it.
  if (deps_.hooks && c.lifecycle && c.lifecycle->post_start) {
    if (auto hook = deps_.hooks->post_start(pod, c, ctx.container_id); !hook.ok()) {
      event(pod, "Warning", "FailedPostStartHook", "PostStartHook failed");
      ContainerInstance started;
      started.id = ctx.container_id;
      started.name = c.name;
      started.image_ref = ctx.image_ref;
      stop_container(pod, started, grace_period(pod), "FailedPostStartHook").ignore_error();
      state.waiting[c.name] = {"PostStartHookError", hook.error().message};
      return hook.error();
    }
  }
  return ok_status();
}

// What stopping a container takes before its signal: the Killing event, its preStop hook (inside
// the grace period, which keeps what is left and at least kubelet's minimum of 2 s) and its stop
// signal: lifecycle.stopSignal, else the image's, else SIGTERM.
PodSyncer::PreparedStop PodSyncer::prepare_stop(const kube::Pod& pod, const ContainerInstance& inst,
                                                std::chrono::seconds grace, const std::string& message) {
  const auto* spec = kube::find_container(pod, inst.name);
  int signal = SIGTERM;
  if (spec && spec->lifecycle && spec->lifecycle->stop_signal) {
    signal = signal_number(*spec->lifecycle->stop_signal);
  } else if (auto image = deps_.images->image_status(inst.image_ref); image.ok()) {
    signal = signal_number(image->config.stop_signal);
  }
  event(pod, "Normal", "Killing", message.empty() ? "Stopping container " + inst.name : message);
  if (deps_.hooks && spec && spec->lifecycle && spec->lifecycle->pre_stop && grace.count() > 0) {
    const auto started = deps_.clock->now();
    // The hook's own message stays in the log: kubelet's event does not carry it.
    if (auto hook = deps_.hooks->pre_stop(pod, *spec, inst.id, grace); !hook.ok()) {
      log::get("pods")->warn("pod={} uid={} container={} preStop hook failed: {}", pod_name(pod), pod.metadata.uid,
                             inst.name, hook.error().message);
      event(pod, "Warning", "FailedPreStopHook", "PreStopHook failed");
    }
    const auto spent = std::chrono::duration_cast<std::chrono::seconds>(deps_.clock->now() - started);
    grace = std::max(grace - spent, std::chrono::seconds(2));
  }
  return {{inst.id, signal}, grace};
}

Status PodSyncer::stop_container(const kube::Pod& pod, const ContainerInstance& inst, std::chrono::seconds grace,
                                 const std::string& message) {
  const auto prepared = prepare_stop(pod, inst, grace, message);
  return deps_.containers->stop_container(prepared.request.id, prepared.request.signal, prepared.grace);
}

void PodSyncer::garbage_collect(const PodRuntimeState& state) {
  // Keep the newest two attempts of each container: the current one and status.lastState.
  for (const auto& [name, list] : state.containers) {
    for (size_t i = 0; i + 2 < list.size(); ++i) deps_.containers->remove_container(list[i].id).ignore_error();
  }
}

void PodSyncer::publish(const kube::Pod& pod, PodRuntimeState& state, PodRecord& rec) {
  state.sandbox_ready = rec.sandbox_ready;
  state.pod_ips = rec.net.pod_ips;
  state.host_ip = rec.net.host_ip.empty() ? config_.host_ip : rec.net.host_ip;
  if (!rec.rejection_reason.empty()) {
    state.pod_failure_reason = rec.rejection_reason;
    state.pod_failure_message = rec.rejection_message;
  }
  for (auto& [name, list] : state.containers) {
    for (auto& inst : list) {
      for (const auto* specs : {&pod.spec.init_containers, &pod.spec.containers})
        for (const auto& c : *specs)
          if (c.name == name) {
            auto it = rec.image_ids.find(c.image);
            // Containers adopted after an agent restart were not started by this run: ask the
            // image store once, as ensure_image would, so that imageID is not left empty.
            if (it == rec.image_ids.end()) {
              if (auto image = deps_.images->image_status(c.image); image.ok())
                it = rec.image_ids.emplace(c.image, image->id).first;
            }
            if (it != rec.image_ids.end()) inst.image_id = it->second;
          }
    }
  }
  if (deps_.probes) {
    deps_.probes->sync(pod, state);
    state.probes = deps_.probes->results(pod.metadata.uid);
  }
  if (deps_.status) deps_.status->update(pod, state);
}

// After an agent restart: the namespaces, network and pod files of a previous run are still
// there; take them over instead of creating new ones.
void PodSyncer::adopt_sandbox(const kube::Pod& pod, PodRecord& rec) {
  const auto& uid = pod.metadata.uid;
  auto found = deps_.sandboxes->find_sandbox(uid);
  if (!found.ok()) return;
  rec.sandbox = *found;
  if (deps_.network) {
    auto net = deps_.network->status(pod);
    if (!net.ok()) return;
    rec.net = *net;
  }
  auto host = network::pod_hostname(pod, config_.cluster_domain);
  if (host.ok()) rec.hostname = host->hostname;
  rec.files = network::pod_file_paths(config_.paths.pod_dir(uid) + "/etc");
  if (deps_.cgroups) rec.cgroup_ready = deps_.cgroups->ensure(pod).ok();
  rec.sandbox_ready = fs::exists(rec.files.hosts);
}

// activeDeadlineSeconds, counted from status.startTime: true when it has passed and the pod is
// ended here (DeadlineExceeded); else a requeue for the moment it will.
bool PodSyncer::enforce_active_deadline(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state, SyncResult& result) {
  if (!pod.spec.active_deadline_seconds || !deps_.status) return false;
  auto current = deps_.status->current(pod.metadata.uid);
  if (!current || !current->start_time) return false;
  const auto deadline = *current->start_time + std::chrono::seconds(*pod.spec.active_deadline_seconds);
  const auto now = deps_.clock->now();
  if (now < deadline) {
    min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    return false;
  }
  const std::string message = "Pod was active on the node longer than the specified deadline";
  event(pod, "Normal", "DeadlineExceeded", message);
  fail_pod(pod, rec, state, "DeadlineExceeded", message);
  return true;
}

// kubelet's local-storage eviction for emptyDir sizeLimit: measured at most every
// kStorageCheck (kubelet's eviction housekeeping interval); an emptyDir over its limit fails
// the pod with reason Evicted.
bool PodSyncer::enforce_empty_dir_limits(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state,
                                         SyncResult& result) {
  if (!volumes::has_limited_empty_dir(pod) || !rec.sandbox_ready) return false;
  const auto now = deps_.clock->now();
  if (now < rec.next_storage_check) {
    min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(rec.next_storage_check - now));
    return false;
  }
  rec.next_storage_check = now + kStorageCheck;
  min_requeue(result, kStorageCheck);
  auto message = deps_.volumes->empty_dir_over_limit(pod);
  if (!message) return false;
  event(pod, "Warning", "Evicted", *message);
  fail_pod(pod, rec, state, "Evicted", *message);
  return true;
}

// Ends a pod that may not run on: its running containers stopped, phase Failed with `reason`.
void PodSyncer::fail_pod(const kube::Pod& pod, PodRecord& rec, PodRuntimeState& state, const std::string& reason,
                         const std::string& message) {
  for (const auto& [name, list] : state.containers)
    if (!list.empty() && list.back().state.state == runtime::ContainerStateKind::kRunning)
      stop_container(pod, list.back(), grace_period(pod)).ignore_error();
  rec.rejection_reason = reason;
  rec.rejection_message = message;
  rec.finished = true;
  if (auto again = observe_pod(*deps_.containers, pod, config_.paths); again.ok()) state = std::move(again).value();
  publish(pod, state, rec);
}

// Steps 1-4 of the plan. False when a step failed: the sync ends there, its status published.
bool PodSyncer::execute(const kube::Pod& pod, const PodActions& actions, PodRecord& rec, PodRuntimeState& state,
                        SyncResult& result) {
  const auto& uid = pod.metadata.uid;
  auto logger = log::get("pods");
  // 1. Kill.
  for (const auto& k : actions.kill) {
    for (const auto& [name, list] : state.containers)
      if (!list.empty() && list.back().id == k.id)
        stop_container(pod, list.back(), k.grace.value_or(grace_period(pod)), k.message).ignore_error();
  }
  if (actions.pod_finished) {
    rec.finished = true;
  } else if (actions.start.empty() && rec.sandbox_ready) {
    // A running pod: its volumes follow the objects and the pod (kubelet's remount on sync).
    // A failure leaves the running containers alone.
    if (auto st = deps_.volumes->setup_pod_volumes(pod, volume_context(rec)); !st.ok()) {
      event(pod, "Warning", "FailedMount", "MountVolume.SetUp failed: " + st.error().message);
      min_requeue(result, volume_retry(uid));
    } else {
      volume_backoff_.reset("volume/" + uid);
    }
  } else if (!actions.start.empty()) {
    // 2. Sandbox, when the plan says so.
    if (actions.create_sandbox) {
      if (sandbox_backoff_.in_backoff_since_update("sandbox/" + uid)) {
        min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(sandbox_backoff_.delay("sandbox/" + uid)));
        set_waiting_all(pod, state, "ContainerCreating", "");
        publish(pod, state, rec);
        return false;
      }
      if (auto st = ensure_sandbox(pod, rec); !st.ok()) {
        sandbox_backoff_.next("sandbox/" + uid, deps_.clock->now());
        event(pod, "Warning", "FailedCreatePodSandBox", "Failed to create pod sandbox: " + st.error().message);
        set_waiting_all(pod, state, "ContainerCreating", "");
        state.sandbox_error = st.error().message;
        min_requeue(result, std::chrono::duration_cast<std::chrono::milliseconds>(sandbox_backoff_.delay("sandbox/" + uid)));
        publish(pod, state, rec);
        return false;
      }
      sandbox_backoff_.reset("sandbox/" + uid);
    }
    // 3. Volumes.
    if (auto st = deps_.volumes->setup_pod_volumes(pod, volume_context(rec)); !st.ok()) {
      event(pod, "Warning", "FailedMount", "MountVolume.SetUp failed: " + st.error().message);
      set_waiting_all(pod, state, "ContainerCreating", "");
      min_requeue(result, volume_retry(uid));
      publish(pod, state, rec);
      return false;
    }
    volume_backoff_.reset("volume/" + uid);
    // 4. Start, in plan order.
    for (const auto& what : actions.start) {
      const auto& c = what.init ? pod.spec.init_containers[what.index] : pod.spec.containers[what.index];
      if (auto st = start_container(pod, c, what, rec, state, result); !st.ok()) {
        logger->warn("pod={} uid={} container={} start failed: {}", pod_name(pod), uid, c.name, st.error().message);
        if (what.init) break;  // the next init container waits for this one
      }
    }
  }

  return true;
}

SyncResult PodSyncer::sync_pod(const PodPtr& pod_ptr) {
  const auto& pod = *pod_ptr;
  const auto& uid = pod.metadata.uid;
  auto logger = log::get("pods");
  SyncResult result;
  auto& rec = record(uid);
  if (!rec.admitted) admit(pod, rec);

  auto observed = observe_pod(*deps_.containers, pod, config_.paths);
  if (!observed.ok()) {
    logger->warn("pod={} uid={} reading containers failed: {}", pod_name(pod), uid, observed.error().message);
    result.requeue_after = kRetrySoon;
    return result;
  }
  PodRuntimeState state = std::move(observed).value();

  if (!rec.sandbox_ready && !rec.finished) adopt_sandbox(pod, rec);
  if (rec.finished) {
    publish(pod, state, rec);
    return result;
  }
  if (enforce_active_deadline(pod, rec, state, result)) return result;
  if (enforce_empty_dir_limits(pod, rec, state, result)) return result;

  state.sandbox_ready = rec.sandbox_ready;
  if (deps_.probes) state.probes = deps_.probes->results(uid);
  auto actions = compute_pod_actions(pod, state, crash_backoff_, deps_.clock->now());
  state.waiting = actions.waiting;
  if (actions.requeue_after) min_requeue(result, *actions.requeue_after);
  if (!execute(pod, actions, rec, state, result)) return result;

  // 5. Re-read, collect garbage, publish.
  auto waiting = state.waiting;
  if (auto again = observe_pod(*deps_.containers, pod, config_.paths); again.ok()) {
    state = std::move(again).value();
    for (auto& [name, w] : waiting)
      if (!state.latest(name) || state.latest(name)->state.state == runtime::ContainerStateKind::kExited)
        state.waiting[name] = w;
  }
  garbage_collect(state);
  if (actions.pod_finished && rec.sandbox_ready) {
    // A finished pod keeps its status and logs but gives back its IP and namespaces.
    if (deps_.network) deps_.network->teardown(uid, rec.sandbox).ignore_error();
    deps_.sandboxes->remove_sandbox(uid).ignore_error();
    rec.sandbox_torn_down = true;
  }
  publish(pod, state, rec);
  return result;
}

Result<TerminateProgress> PodSyncer::terminate_pod(const PodPtr& pod_ptr) {
  const auto& pod = *pod_ptr;
  NA_ASSIGN_OR_RETURN(auto state, observe_pod(*deps_.containers, pod, config_.paths));
  auto& rec = record(pod.metadata.uid);
  auto running = [&](const std::string& name) -> const ContainerInstance* {
    const auto* inst = state.latest(name);
    return inst && inst->state.state != runtime::ContainerStateKind::kExited ? inst : nullptr;
  };
  // App containers stop together; then sidecars and init containers one at a time, last first.
  std::vector<const ContainerInstance*> wave;
  for (const auto& c : pod.spec.containers)
    if (const auto* inst = running(c.name)) wave.push_back(inst);
  for (auto it = pod.spec.init_containers.rbegin(); wave.empty() && it != pod.spec.init_containers.rend(); ++it)
    if (const auto* inst = running(it->name)) wave.push_back(inst);
  if (wave.empty()) {
    rec.stopping.clear();
    return TerminateProgress{};
  }
  return advance_stop(pod, rec, wave);
}

// One step of stopping `wave`: a container not signalled yet gets its Killing event, preStop
// hook and stop signal, and a deadline of what is left of the grace period; one past its
// deadline gets SIGKILL (again each kKillRecheck until it is gone). Nothing waits here.
Result<TerminateProgress> PodSyncer::advance_stop(const kube::Pod& pod, PodRecord& rec,
                                                  const std::vector<const ContainerInstance*>& wave) {
  std::optional<Error> first_error;
  // Containers not signalled yet: hook and signal each, side by side when there are several (as
  // kubelet kills a pod's containers in parallel), so that preStop hooks overlap.
  std::vector<std::pair<const ContainerInstance*, PodRecord::Stopping*>> fresh;
  for (const auto* inst : wave) {
    auto [it, is_new] = rec.stopping.try_emplace(inst->id);
    if (is_new) fresh.emplace_back(inst, &it->second);
  }
  auto begin_stop = [&](const ContainerInstance& inst, PodRecord::Stopping& stopping) -> Status {
    const auto prepared = prepare_stop(pod, inst, grace_period(pod));
    stopping.signal = prepared.request.signal;
    stopping.deadline = deps_.clock->now() + prepared.grace;
    Status sent = deps_.containers->signal_container(inst.id, stopping.signal);
    stopping.signalled = sent.ok();  // else sent again on the retry
    return sent;
  };
  std::vector<std::future<Status>> started;
  for (size_t i = 1; i < fresh.size(); ++i)
    started.push_back(std::async(std::launch::async, begin_stop, std::cref(*fresh[i].first), std::ref(*fresh[i].second)));
  if (!fresh.empty()) {
    if (auto sent = begin_stop(*fresh[0].first, *fresh[0].second); !sent.ok()) first_error = sent.error();
  }
  for (auto& f : started)
    if (auto sent = f.get(); !sent.ok() && !first_error) first_error = sent.error();

  auto just_begun = [&](const ContainerInstance* inst) {
    return std::any_of(fresh.begin(), fresh.end(), [&](const auto& f) { return f.first == inst; });
  };
  const auto now = deps_.clock->now();
  auto next = std::chrono::milliseconds::max();  // until the first deadline; an exit wakes it sooner
  for (const auto* inst : wave) {
    auto& stopping = rec.stopping.at(inst->id);
    Status sent = ok_status();
    if (now >= stopping.deadline) {
      if (!stopping.killed)
        log::get("pods")->info("pod={} container={} still running after its grace period: SIGKILL", pod_name(pod),
                               inst->name);
      stopping.killed = true;
      stopping.deadline = deps_.clock->now() + kKillRecheck;
      sent = deps_.containers->signal_container(inst->id, SIGKILL);
    } else if (!stopping.signalled && !just_begun(inst)) {  // a failed first signal waits for the retry
      sent = deps_.containers->signal_container(inst->id, stopping.signal);
      stopping.signalled = sent.ok();  // else sent again on the retry
    }
    if (!sent.ok() && !first_error) first_error = sent.error();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(stopping.deadline - now);
    next = std::min(next, std::max(left, std::chrono::milliseconds(0)));
  }
  if (first_error) return *first_error;
  return TerminateProgress{false, next};
}

Status PodSyncer::cleanup_pod(const PodPtr& pod_ptr) {
  const auto& pod = *pod_ptr;
  const auto& uid = pod.metadata.uid;
  NA_ASSIGN_OR_RETURN(auto state, observe_pod(*deps_.containers, pod, config_.paths));
  for (const auto& [name, list] : state.containers)
    for (const auto& inst : list) NA_RETURN_IF_ERROR(deps_.containers->remove_container(inst.id));
  runtime::SandboxInfo sandbox;
  {
    auto& rec = record(uid);
    sandbox = rec.sandbox;
  }
  if (sandbox.dir.empty()) {
    if (auto found = deps_.sandboxes->find_sandbox(uid); found.ok()) sandbox = *found;
  }
  // Crash-safe order: the pod directory goes last, so that an agent killed at any step finds
  // the pod again after its restart (as an orphan: orphans.h) and finishes the cleanup.
  failpoint("pod-cleanup/containers-removed");
  if (deps_.network) NA_RETURN_IF_ERROR(deps_.network->teardown(uid, sandbox));
  failpoint("pod-cleanup/network-torn-down");
  NA_RETURN_IF_ERROR(deps_.sandboxes->remove_sandbox(uid));
  failpoint("pod-cleanup/sandbox-removed");
  NA_RETURN_IF_ERROR(deps_.volumes->teardown_pod_volumes(uid));
  failpoint("pod-cleanup/volumes-torn-down");
  if (deps_.cgroups) NA_RETURN_IF_ERROR(deps_.cgroups->remove(pod));
  failpoint("pod-cleanup/cgroup-removed");
  // The log directory by uid: an orphan rebuilt from its directory alone has no name.
  std::error_code ec;
  std::vector<fs::path> log_dirs;
  for (const auto& e : fs::directory_iterator(config_.paths.pod_log_dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.size() > uid.size() && name.compare(name.size() - uid.size() - 1, std::string::npos, "_" + uid) == 0)
      log_dirs.push_back(e.path());
  }
  for (const auto& dir : log_dirs) fs::remove_all(dir, ec);
  // Never through a mount: anything still mounted under the pod keeps it all until a retry.
  NA_RETURN_IF_ERROR(remove_tree_unless_mounted(config_.paths.pod_dir(uid)));
  if (deps_.status) deps_.status->remove(uid);
  if (deps_.probes) deps_.probes->remove(uid);
  crash_backoff_.reset_prefix(uid + "/");
  pull_backoff_.reset_prefix("pull/" + uid + "/");
  sandbox_backoff_.reset("sandbox/" + uid);
  volume_backoff_.reset("volume/" + uid);
  std::lock_guard lock(mu_);
  records_.erase(uid);
  log::get("pods")->info("pod={} uid={} cleaned up", pod_name(pod), uid);
  return ok_status();
}

}  // namespace nodeagent::pods
