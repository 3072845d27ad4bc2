// A container of a v1 Pod as the runtime's ContainerConfig (see container_config.h).
#include "agent/pods/container_config.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "agent/pods/container_ids.h"
#include "agent/pods/env_objects.h"
#include "kube/downward_api.h"
#include "kube/object_store.h"
#include "kube/expand.h"
#include "kube/qos.h"
#include "agent/pods/pod_runtime_state.h"
#include "runtime/cgroups/resource_config.h"

namespace nodeagent::pods {

namespace cgroups = runtime::cgroups;

namespace {

const kube::Quantity* find_resource(const kube::ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? nullptr : &it->second;
}

std::string strip_cap(const std::string& cap) { return cap.rfind("CAP_", 0) == 0 ? cap.substr(4) : cap; }

}  // namespace

std::vector<std::string> resolve_argv(const kube::Container& c, const runtime::ImageConfig& image) {
  std::vector<std::string> argv;
  if (!c.command.empty()) {
    argv = c.command;
    argv.insert(argv.end(), c.args.begin(), c.args.end());
  } else if (!c.args.empty()) {
    argv = image.entrypoint;
    argv.insert(argv.end(), c.args.begin(), c.args.end());
  } else {
    argv = image.entrypoint;
    argv.insert(argv.end(), image.cmd.begin(), image.cmd.end());
  }
  return argv;
}

kube::DownwardApiContext downward_api_context(const ContainerContext& ctx) {
  kube::DownwardApiContext d;
  d.node_name = ctx.node_name;
  d.host_ip = ctx.host_ip;
  d.pod_ip = ctx.pod_ip;
  d.pod_ips = ctx.pod_ips;
  d.node_allocatable_cpu_millis = ctx.node_allocatable_cpu_millis;
  d.node_allocatable_memory_bytes = ctx.node_allocatable_memory_bytes;
  return d;
}

Result<std::vector<std::string>> build_env(const kube::Pod& pod, const kube::Container& c, const ContainerContext& ctx,
                                           std::vector<std::string>* events) {
  // Name -> value in definition order; a later definition replaces the earlier value in place.
  std::vector<std::pair<std::string, std::string>> env;
  std::map<std::string, size_t> index;
  auto set = [&](const std::string& name, std::string value) {
    auto it = index.find(name);
    if (it != index.end()) {
      env[it->second].second = std::move(value);
    } else {
      index[name] = env.size();
      env.emplace_back(name, std::move(value));
    }
  };
  for (const auto& kv : ctx.image.config.env) {
    auto eq = kv.find('=');
    set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  // Only variables defined in the container's own env (earlier in the list) expand, not the
  // image's: kubelet expands against the container env built so far.
  std::map<std::string, std::string> defined(ctx.service_env.begin(), ctx.service_env.end());
  std::set<std::string> own;  // names the container's env defines: they win over Service variables
  const auto downward = downward_api_context(ctx);
  static const kube::InMemoryObjectStore kNoObjects;  // a node without objects: every reference is missing
  const kube::ObjectSource& objects = ctx.objects ? *ctx.objects : kNoObjects;
  const auto& ns = pod.metadata.namespace_;
  for (const auto& src : c.env_from) {
    NA_ASSIGN_OR_RETURN(auto from, env_from_source(objects, ns, src));
    if (!from) continue;
    if (!from->skipped_event.empty() && events) events->push_back(from->skipped_event);
    for (auto& [name, value] : from->vars) {
      defined[name] = value;
      own.insert(name);
      set(name, std::move(value));
    }
  }
  for (size_t i = 0; i < c.env.size(); ++i) {
    const auto& e = c.env[i];
    std::string value;
    if (!e.value_from) {
      value = kube::expand_vars(e.value, defined);
    } else if (e.value_from->field_ref) {
      auto v = kube::field_ref_value(pod, e.value_from->field_ref->field_path, downward);
      if (!v.ok()) return v.error().wrap(fmt::format("env[{}] {}", i, e.name));
      value = *v;
    } else if (e.value_from->resource_field_ref) {
      auto v = kube::resource_ref_value(pod, c, *e.value_from->resource_field_ref, downward);
      if (!v.ok()) return v.error().wrap(fmt::format("env[{}] {}", i, e.name));
      value = *v;
    } else if (e.value_from->config_map_key_ref) {
      NA_ASSIGN_OR_RETURN(auto v, config_map_key_value(objects, ns, *e.value_from->config_map_key_ref));
      if (!v) continue;
      value = std::move(*v);
    } else if (e.value_from->secret_key_ref) {
      NA_ASSIGN_OR_RETURN(auto v, secret_key_value(objects, ns, *e.value_from->secret_key_ref));
      if (!v) continue;
      value = std::move(*v);
    }
    defined[e.name] = value;
    own.insert(e.name);
    set(e.name, value);
  }
  for (const auto& [name, value] : ctx.service_env)
    if (!own.count(name)) set(name, value);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

int64_t oom_score_adj(const kube::Pod& pod, const kube::Container& c, int64_t node_memory_bytes) {
  const auto qos = kube::qos_class(pod);
  if (qos == kube::QosClass::kGuaranteed) return -997;
  if (qos == kube::QosClass::kBestEffort) return 1000;
  const auto* req = find_resource(c.resources.requests, "memory");
  int64_t request = req ? req->value() : 0;
  if (node_memory_bytes <= 0) return 999;
  int64_t adj = 1000 - (1000 * request) / node_memory_bytes;
  if (adj < 2) return 2;
  if (adj >= 1000) return 999;
  return adj;
}

Result<runtime::ContainerConfig> build_container_config(const kube::Pod& pod, const kube::Container& c,
                                                        const ContainerContext& ctx) {
  runtime::ContainerConfig cfg;
  cfg.id = ctx.container_id;
  cfg.image_ref = ctx.image_ref;
  cfg.image = ctx.image;

  if (ctx.env) {
    cfg.env = *ctx.env;
  } else {
    NA_ASSIGN_OR_RETURN(cfg.env, build_env(pod, c, ctx));
  }
  // $(VAR) in command and args expands against the container's env.
  std::map<std::string, std::string> vars;
  for (const auto& e : c.env) {
    for (const auto& kv : cfg.env)
      if (kv.rfind(e.name + "=", 0) == 0) vars[e.name] = kv.substr(e.name.size() + 1);
  }
  kube::Container expanded = c;
  for (auto& s : expanded.command) s = kube::expand_vars(s, vars);
  for (auto& s : expanded.args) s = kube::expand_vars(s, vars);
  cfg.args = resolve_argv(expanded, ctx.image.config);
  if (cfg.args.empty())
    return invalid("no command specified: the container has no command and the image no ENTRYPOINT or CMD");

  cfg.working_dir = !c.working_dir.empty() ? c.working_dir : ctx.image.config.working_dir;
  cfg.hostname = ctx.hostname;
  cfg.tty = c.tty;

  // Namespaces shared with the pod.
  cfg.namespaces.network = ctx.sandbox.netns_path;
  cfg.namespaces.ipc = ctx.sandbox.ipcns_path;
  cfg.namespaces.uts = ctx.sandbox.utsns_path;
  cfg.namespaces.pid = ctx.sandbox.pidns_path;
  cfg.namespaces.host_network = pod.spec.host_network;
  cfg.namespaces.host_ipc = pod.spec.host_ipc;
  cfg.namespaces.host_pid = pod.spec.host_pid;

  // Security: container settings override the pod's.
  const auto& psc = pod.spec.security_context;
  const auto& csc = c.security_context;
  auto& sec = cfg.security;
  sec.run_as_user = csc && csc->run_as_user ? csc->run_as_user : (psc ? psc->run_as_user : std::nullopt);
  sec.run_as_group = csc && csc->run_as_group ? csc->run_as_group : (psc ? psc->run_as_group : std::nullopt);
  if (psc) {
    sec.supplemental_groups = psc->supplemental_groups;
    if (psc->fs_group) sec.supplemental_groups.push_back(*psc->fs_group);
    for (const auto& s : psc->sysctls) sec.sysctls[s.name] = s.value;
  }
  if (csc) {
    sec.privileged = csc->privileged.value_or(false);
    sec.read_only_rootfs = csc->read_only_root_filesystem.value_or(false);
    sec.no_new_privileges = csc->allow_privilege_escalation.has_value() && !*csc->allow_privilege_escalation;
    if (csc->capabilities) {
      for (const auto& cap : csc->capabilities->add) sec.capabilities_add.push_back(strip_cap(cap));
      for (const auto& cap : csc->capabilities->drop) sec.capabilities_drop.push_back(strip_cap(cap));
    }
  }
  bool run_as_non_root = (csc && csc->run_as_non_root.value_or(false)) || (psc && psc->run_as_non_root.value_or(false));
  if (run_as_non_root) {
    if (sec.run_as_user && *sec.run_as_user == 0)
      return invalid("container's runAsUser breaks non-root policy (pod: \"" + pod.metadata.name + "\", container: " + c.name + ")");
    if (!sec.run_as_user) {
      const auto& u = ctx.image.config.user;
      if (u.empty() || u == "0" || u == "root" || u.rfind("0:", 0) == 0 || u.rfind("root:", 0) == 0)
        return invalid("container has runAsNonRoot and image will run as root (pod: \"" + pod.metadata.name + "\", container: " + c.name + ")");
    }
  }

  // Resources.
  auto& res = cfg.resources;
  // The same arithmetic as the pod cgroup's (runtime/cgroups/resource_config.h); no request
  // gives the minimum shares, as kubelet gives BestEffort containers.
  const auto* cpu_request = find_resource(c.resources.requests, "cpu");
  res.cpu_shares = cgroups::milli_cpu_to_shares(cpu_request ? cpu_request->milli_value() : 0);
  if (const auto* q = find_resource(c.resources.limits, "cpu")) res.cpu_quota = cgroups::milli_cpu_to_quota(q->milli_value(), res.cpu_period);
  if (const auto* q = find_resource(c.resources.limits, "memory")) res.memory_limit_bytes = q->value();
  res.oom_score_adj = std::max(oom_score_adj(pod, c, ctx.node_allocatable_memory_bytes), ctx.min_oom_score_adj);
  res.cgroups_path = ctx.cgroups_path;

  cfg.mounts = ctx.mounts;

  cfg.labels[labels::kPodUid] = pod.metadata.uid;
  cfg.labels[labels::kPodName] = pod.metadata.name;
  cfg.labels[labels::kPodNamespace] = pod.metadata.namespace_;
  cfg.labels[labels::kContainerName] = c.name;
  cfg.labels[labels::kContainerKind] = ctx.init ? "init" : "app";
  cfg.labels[labels::kAttempt] = std::to_string(ctx.attempt);
  cfg.labels[labels::kManagedBy] = ctx.node_name;
  cfg.labels[labels::kStopSignal] = effective_stop_signal(c, ctx.image);
  cfg.log_path = ctx.log_path;
  return cfg;
}

}  // namespace nodeagent::pods
