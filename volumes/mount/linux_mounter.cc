// LinuxMounter: the only place in volumes/ that calls mount(2).
#include "volumes/mount/linux_mounter.h"

#include <sys/mount.h>

#include <cerrno>
#include <map>
#include <filesystem>

#include "util/mountinfo.h"
#include "volumes/mount/tool_runner.h"

namespace nodeagent::volumes {

Status LinuxMounter::mount_tmpfs(const std::string& target, const std::string& options) {
  if (::mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
    return errno_error("mount tmpfs at " + target, errno);
  return ok_status();
}

Status LinuxMounter::bind_mount(const std::string& source, const std::string& target, bool read_only) {
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return errno_error("bind mount " + source + " at " + target, errno);
  // MS_RDONLY is ignored on the first MS_BIND call: read-only takes a remount.
  if (read_only && ::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
    int err = errno;
    (void)::umount2(target.c_str(), MNT_DETACH);
    return errno_error("remount " + target + " read-only", err);
  }
  return ok_status();
}

Status LinuxMounter::unmount(const std::string& target) {
  if (::umount2(target.c_str(), MNT_DETACH) != 0) return errno_error("unmount " + target, errno);
  return ok_status();
}

Result<bool> LinuxMounter::is_mounted(const std::string& target) { return mount_point_status(target); }

Status LinuxMounter::mount(const std::string& source, const std::string& target, const std::string& fstype,
                          const std::vector<std::string>& options) {
  static const std::map<std::string, unsigned long> kFlags = {
      {"ro", MS_RDONLY},       {"rw", 0},          {"nosuid", MS_NOSUID},         {"nodev", MS_NODEV},
      {"noexec", MS_NOEXEC},   {"sync", MS_SYNCHRONOUS}, {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME},
      {"relatime", MS_RELATIME}, {"defaults", 0},
  };
  unsigned long flags = 0;
  std::string data;
  for (const auto& o : options) {
    if (auto it = kFlags.find(o); it != kFlags.end()) {
      flags |= it->second;
      continue;
    }
    if (!data.empty()) data += ",";
    data += o;
  }
  if (::mount(source.c_str(), target.c_str(), fstype.c_str(), flags, data.empty() ? nullptr : data.c_str()) != 0)
    return errno_error("mount " + source + " (" + fstype + ") at " + target, errno);
  return ok_status();
}

Result<std::string> LinuxMounter::probe_filesystem(const std::string& device) {
  // mount-utils' GetDiskFormat: exit 2 is "nothing found"; TYPE or PTTYPE otherwise.
  NA_ASSIGN_OR_RETURN(auto out, run_tool({"blkid", "-p", "-s", "TYPE", "-s", "PTTYPE", "-o", "export", device}));
  if (out.exit_code == 2) return std::string();
  if (out.exit_code != 0) return internal("blkid " + device + " (exit " + std::to_string(out.exit_code) + "): " + out.output);
  std::string type, pttype;
  size_t pos = 0;
  while (pos < out.output.size()) {
    auto end = out.output.find('\n', pos);
    if (end == std::string::npos) end = out.output.size();
    auto line = out.output.substr(pos, end - pos);
    if (line.rfind("TYPE=", 0) == 0) type = line.substr(5);
    if (line.rfind("PTTYPE=", 0) == 0) pttype = line.substr(7);
    pos = end + 1;
  }
  return !type.empty() ? type : pttype.empty() ? std::string() : pttype;
}

Status LinuxMounter::format(const std::string& device, const std::string& fstype) {
  // mount-utils' formatAndMountSensitive: ext* with -F -m0 (force: the device is whole), xfs -f.
  std::vector<std::string> argv = {"mkfs." + fstype};
  if (fstype.rfind("ext", 0) == 0) argv.insert(argv.end(), {"-F", "-m0"});
  else if (fstype == "xfs") argv.push_back("-f");
  argv.push_back(device);
  NA_ASSIGN_OR_RETURN(auto out, run_tool(argv));
  if (out.exit_code != 0)
    return internal("format " + device + " as " + fstype + " (exit " + std::to_string(out.exit_code) + "): " + out.output);
  return ok_status();
}

namespace {

bool within(const std::string& path, const std::string& mount_point) {
  if (mount_point == "/") return true;
  return path.compare(0, mount_point.size(), mount_point) == 0 &&
         (path.size() == mount_point.size() || path[mount_point.size()] == '/');
}

MountPropagation propagation(const MountInfo& m) {
  MountPropagation p{m.mount_point, false, false};
  for (const auto& f : m.optional_fields) {
    if (f.rfind("shared:", 0) == 0) p.shared = true;
    if (f.rfind("master:", 0) == 0) p.slave = true;
  }
  return p;
}

}  // namespace

Result<MountPropagation> LinuxMounter::propagation_of(const std::string& path) {
  std::error_code ec;
  auto real = std::filesystem::canonical(path, ec);
  if (ec) return internal("resolve " + path + ": " + ec.message());
  NA_ASSIGN_OR_RETURN(auto mounts, read_mountinfo());
  // The longest mount point containing the path; of stacked mounts the last listed is on top.
  const MountInfo* best = nullptr;
  for (const auto& m : mounts)
    if (within(real.string(), m.mount_point) && (!best || m.mount_point.size() >= best->mount_point.size())) best = &m;
  if (!best) return internal("no mount holds " + real.string());
  return propagation(*best);
}

Status LinuxMounter::make_rshared(const std::string& path) {
  NA_ASSIGN_OR_RETURN(auto current, propagation_of(path));
  std::error_code ec;
  const auto real = std::filesystem::canonical(path, ec).string();
  if (current.mount_point == real && current.shared) return ok_status();
  if (current.mount_point != real && ::mount(real.c_str(), real.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return errno_error("bind mount " + real + " onto itself", errno);
  if (::mount(nullptr, real.c_str(), nullptr, MS_SHARED | MS_REC, nullptr) != 0)
    return errno_error("make " + real + " rshared", errno);
  return ok_status();
}

}  // namespace nodeagent::volumes
