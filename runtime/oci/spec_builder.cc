// OCI spec assembly (see spec_builder.h). Each section has its own small function, in the order
// of the spec: process, root, hostname, mounts, linux.
#include "runtime/oci/spec_builder.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "runtime/oci/capabilities.h"

namespace nodeagent::runtime::oci {
namespace {

using json = nlohmann::json;

std::optional<int64_t> parse_id(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

struct UidGid {
  int64_t uid = 0;
  int64_t gid = 0;
};

// run_as_user/run_as_group win; otherwise the image's USER ("uid" or "uid:gid", numeric only).
Result<UidGid> resolve_user(const ContainerConfig& config) {
  UidGid ids;
  const std::string& image_user = config.image.config.user;
  if (!config.security.run_as_user && !image_user.empty()) {
    auto colon = image_user.find(':');
    auto uid = parse_id(image_user.substr(0, colon));
    std::optional<int64_t> gid = int64_t{0};
    if (colon != std::string::npos) gid = parse_id(image_user.substr(colon + 1));
    if (!uid || !gid) {
      return invalid(fmt::format("image {}: config.User \"{}\": only numeric uid[:gid] is supported; "
                                 "set securityContext.runAsUser",
                                 config.image_ref, image_user));
    }
    ids.uid = *uid;
    ids.gid = *gid;
  }
  if (config.security.run_as_user) ids.uid = *config.security.run_as_user;
  if (config.security.run_as_group) ids.gid = *config.security.run_as_group;
  return ids;
}

Result<json> build_process(const ContainerConfig& config, const SpecOptions& options) {
  if (config.args.empty()) return invalid("args: must not be empty");
  std::string cwd = config.working_dir.empty() ? "/" : config.working_dir;
  if (cwd.front() != '/') return invalid(fmt::format("workingDir \"{}\": must be an absolute path", cwd));

  NA_ASSIGN_OR_RETURN(UidGid ids, resolve_user(config));
  // Like containerd's WithAdditionalGIDs: the primary group first, then the supplemental ones.
  std::vector<int64_t> gids = {ids.gid};
  for (int64_t g : config.security.supplemental_groups) {
    if (std::find(gids.begin(), gids.end(), g) == gids.end()) gids.push_back(g);
  }

  std::vector<std::string> env = config.env;
  bool has_path = std::any_of(env.begin(), env.end(), [](const std::string& e) { return e.rfind("PATH=", 0) == 0; });
  if (!has_path) env.insert(env.begin(), kDefaultPathEnv);

  NA_ASSIGN_OR_RETURN(auto caps, compute_capabilities(config.security, options.available_capabilities));

  json process = {
      {"terminal", config.tty},
      {"user", {{"uid", ids.uid}, {"gid", ids.gid}, {"additionalGids", gids}}},
      {"args", config.args},
      {"env", env},
      {"cwd", cwd},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", config.security.no_new_privileges},
  };
  if (config.resources.oom_score_adj != 0) process["oomScoreAdj"] = config.resources.oom_score_adj;
  return process;
}

json mount(const std::string& dest, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", std::move(options)}};
}

// containerd's defaultMounts() without /run (the CRI plugin removes it), plus the CRI plugin's
// /sys/fs/cgroup. Privileged containers get /sys and the cgroup tree writable, like CRI.
std::vector<json> default_mounts(bool privileged) {
  std::vector<std::string> sys_opts = {"nosuid", "noexec", "nodev"};
  std::vector<std::string> cgroup_opts = {"nosuid", "noexec", "nodev", "relatime"};
  sys_opts.push_back(privileged ? "rw" : "ro");
  cgroup_opts.push_back(privileged ? "rw" : "ro");
  return {
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", sys_opts),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts),
  };
}

// Number of path components, so parents are mounted before what is mounted inside them.
size_t depth(const std::string& path) {
  size_t n = 0;
  bool in_component = false;
  for (char c : path) {
    if (c == '/') {
      in_component = false;
    } else if (!in_component) {
      in_component = true;
      ++n;
    }
  }
  return n;
}

Result<json> user_mount(const Mount& m, size_t index) {
  auto field = [index](const char* name) { return fmt::format("mounts[{}].{}", index, name); };
  if (m.container_path.empty() || m.container_path.front() != '/') {
    return invalid(fmt::format("{} \"{}\": must be an absolute path", field("container_path"), m.container_path));
  }
  std::vector<std::string> options;
  if (m.type == "bind" || m.type == "rbind") {
    if (m.host_path.empty() || m.host_path.front() != '/') {
      return invalid(fmt::format("{} \"{}\": must be an absolute path", field("host_path"), m.host_path));
    }
    // The CRI plugin always binds recursively; "bind" in extra_options asks for a plain bind.
    bool plain = std::find(m.extra_options.begin(), m.extra_options.end(), "bind") != m.extra_options.end();
    options.push_back(plain ? "bind" : "rbind");
    if (m.propagation.empty() || m.propagation == "rprivate" || m.propagation == "private") {
      options.push_back("rprivate");
    } else if (m.propagation == "rslave" || m.propagation == "slave" || m.propagation == "rshared" ||
               m.propagation == "shared") {
      options.push_back(m.propagation.front() == 'r' ? m.propagation : "r" + m.propagation);
    } else {
      return invalid(fmt::format("{} \"{}\": must be rprivate, rslave or rshared", field("propagation"), m.propagation));
    }
  } else if (m.type == "tmpfs") {
    options = {"nosuid", "nodev"};
  }
  options.push_back(m.readonly ? "ro" : "rw");
  for (const auto& o : m.extra_options) {
    if (o != "bind") options.push_back(o);
  }
  std::string type = (m.type == "rbind") ? "bind" : m.type;
  std::string source = m.host_path.empty() ? m.type : m.host_path;
  return mount(m.container_path, type, source, options);
}

// Defaults first (minus any the config replaces at the same destination), then the config's
// mounts ordered by depth (stable), as the CRI plugin does.
Result<json> build_mounts(const ContainerConfig& config) {
  std::vector<json> user;
  for (size_t i = 0; i < config.mounts.size(); ++i) {
    NA_ASSIGN_OR_RETURN(json m, user_mount(config.mounts[i], i));
    user.push_back(std::move(m));
  }
  std::stable_sort(user.begin(), user.end(), [](const json& a, const json& b) {
    return depth(a["destination"].get<std::string>()) < depth(b["destination"].get<std::string>());
  });
  json mounts = json::array();
  for (auto& d : default_mounts(config.security.privileged)) {
    bool replaced = std::any_of(user.begin(), user.end(),
                                [&](const json& u) { return u["destination"] == d["destination"]; });
    if (!replaced) mounts.push_back(std::move(d));
  }
  for (auto& u : user) mounts.push_back(std::move(u));
  return mounts;
}

json ns_entry(const char* type, const std::string& path) {
  json ns = {{"type", type}};
  if (!path.empty()) ns["path"] = path;
  return ns;
}

// New namespaces unless a path is given (join) or the host's is asked for (omit). Host
// networking implies the host's UTS namespace, as in kubelet, unless a UTS path is given; a host
// network with a path joins that path (the node's netns when the agent is not in containerd's).
json build_namespaces(const NamespacePaths& ns) {
  json out = json::array();
  if (!ns.host_pid) out.push_back(ns_entry("pid", ns.pid));
  if (!ns.host_ipc) out.push_back(ns_entry("ipc", ns.ipc));
  if (!ns.host_network || !ns.uts.empty()) out.push_back(ns_entry("uts", ns.uts));
  out.push_back(ns_entry("mount", ""));
  if (!ns.host_network || !ns.network.empty()) out.push_back(ns_entry("network", ns.network));
  out.push_back(ns_entry("cgroup", ""));
  return out;
}

bool has_uts_namespace(const json& namespaces) {
  return std::any_of(namespaces.begin(), namespaces.end(), [](const json& n) { return n["type"] == "uts"; });
}

json device_rule(bool allow, const char* type, std::optional<int64_t> major, std::optional<int64_t> minor) {
  json rule = {{"allow", allow}, {"access", "rwm"}};
  if (type) rule["type"] = type;
  if (major) rule["major"] = *major;
  if (minor) rule["minor"] = *minor;
  return rule;
}

// Deny everything, then allow what containerd's WithDefaultUnixDevices allows; privileged
// containers may use every device.
json build_device_rules(bool privileged) {
  if (privileged) return json::array({device_rule(true, nullptr, std::nullopt, std::nullopt)});
  json rules = json::array({device_rule(false, nullptr, std::nullopt, std::nullopt)});
  json mknod_c = {{"allow", true}, {"type", "c"}, {"access", "m"}};
  json mknod_b = {{"allow", true}, {"type", "b"}, {"access", "m"}};
  rules.push_back(mknod_c);
  rules.push_back(mknod_b);
  const std::pair<int64_t, std::optional<int64_t>> chars[] = {
      {1, 3},    // /dev/null
      {1, 8},    // /dev/random
      {1, 7},    // /dev/full
      {5, 0},    // /dev/tty
      {1, 5},    // /dev/zero
      {1, 9},    // /dev/urandom
      {5, 1},    // /dev/console
      {136, std::nullopt},  // /dev/pts/*
      {5, 2},    // /dev/ptmx
      {10, 200}, // /dev/net/tun
  };
  for (const auto& [major, minor] : chars) rules.push_back(device_rule(true, "c", major, minor));
  return rules;
}

// The container's own devices (volumeDevices): the node runc creates, and the cgroup rule that
// lets the container use it with the permissions asked (containerd's WithDevices).
json build_devices(const ContainerConfig& config) {
  json out = json::array();
  for (const auto& d : config.devices)
    out.push_back({{"path", d.container_path},
                   {"type", std::string(1, d.type)},
                   {"major", d.major},
                   {"minor", d.minor},
                   {"fileMode", d.file_mode},
                   {"uid", d.uid},
                   {"gid", d.gid}});
  return out;
}

json build_resources(const ContainerConfig& config) {
  const Resources& r = config.resources;
  json rules = build_device_rules(config.security.privileged);
  for (const auto& d : config.devices) {
    json rule = {{"allow", true}, {"type", std::string(1, d.type)}, {"major", d.major}, {"minor", d.minor},
                 {"access", d.permissions}};
    rules.push_back(std::move(rule));
  }
  json resources = {{"devices", std::move(rules)}};
  json cpu = json::object();
  if (r.cpu_shares > 0) cpu["shares"] = r.cpu_shares;
  if (r.cpu_quota > 0) {
    cpu["quota"] = r.cpu_quota;
    cpu["period"] = r.cpu_period > 0 ? r.cpu_period : 100000;
  }
  if (!cpu.empty()) resources["cpu"] = cpu;
  if (r.memory_limit_bytes > 0) resources["memory"] = {{"limit", r.memory_limit_bytes}};
  return resources;
}

// containerd's default masked and read-only paths; privileged containers get neither.
json masked_paths() {
  return {"/proc/acpi",        "/proc/asound",     "/proc/kcore",       "/proc/keys",
          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
          "/sys/firmware",     "/proc/scsi",       "/sys/devices/virtual/powercap"};
}

json readonly_paths() {
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

Result<json> build_linux(const ContainerConfig& config) {
  json linux_spec = {
      {"namespaces", build_namespaces(config.namespaces)},
      {"resources", build_resources(config)},
  };
  if (!config.devices.empty()) linux_spec["devices"] = build_devices(config);
  if (!config.resources.cgroups_path.empty()) linux_spec["cgroupsPath"] = config.resources.cgroups_path;
  if (!config.security.sysctls.empty()) linux_spec["sysctl"] = config.security.sysctls;
  if (config.security.privileged) {
    linux_spec["maskedPaths"] = json::array();
    linux_spec["readonlyPaths"] = json::array();
  } else {
    linux_spec["maskedPaths"] = masked_paths();
    linux_spec["readonlyPaths"] = readonly_paths();
  }
  // As containerd's CRI: a Bidirectional (rshared) mount needs the container's root shared too,
  // else runc's default rslave root would keep the container's mounts from reaching the host.
  for (const auto& m : config.mounts)
    if (m.propagation == "rshared" || m.propagation == "shared") linux_spec["rootfsPropagation"] = "rshared";
  return linux_spec;
}

}  // namespace

Result<json> build_oci_spec(const ContainerConfig& config, const SpecOptions& options) {
  auto fail = [&config](const Error& e) { return e.wrap("container " + config.id); };
  auto process = build_process(config, options);
  if (!process.ok()) return fail(process.error());
  auto mounts = build_mounts(config);
  if (!mounts.ok()) return fail(mounts.error());
  auto linux_spec = build_linux(config);
  if (!linux_spec.ok()) return fail(linux_spec.error());

  json spec = {
      {"ociVersion", kSpecVersion},
      {"process", std::move(process).value()},
      {"root", {{"path", "rootfs"}, {"readonly", config.security.read_only_rootfs}}},
      {"mounts", std::move(mounts).value()},
      {"linux", std::move(linux_spec).value()},
  };
  // runc can only set a hostname in a UTS namespace of the container's own (or joined).
  if (!config.hostname.empty() && has_uts_namespace(spec["linux"]["namespaces"])) {
    spec["hostname"] = config.hostname;
  }
  return spec;
}

json exec_process_spec(const json& container_spec, const std::vector<std::string>& argv) {
  json process = container_spec.value("process", json::object());
  process["args"] = argv;
  process["terminal"] = false;
  process.erase("consoleSize");
  // oomScoreAdj is the container's; an exec inherits it from the container's init anyway.
  process.erase("oomScoreAdj");
  return process;
}

}  // namespace nodeagent::runtime::oci
