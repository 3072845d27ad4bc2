// In-memory volumes::Mounter for the volume plugins' tests: nothing is mounted; every call is
// recorded ("mount_tmpfs <target> <options>", "bind <source> <target> ro|rw", "unmount
// <target>", "mount <source> <target> <fstype> <opt,...>", "format <device> <fstype>"; probes are
// reads and are not recorded), devices have the filesystem set_filesystem() or format() gave them, mounted targets are remembered so is_mounted() answers as the kernel would, and
// each call can be made to fail.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "test/fakes/call_log.h"
#include "volumes/mount/mounter.h"

namespace nodeagent::fakes {

class FakeMounter : public volumes::Mounter {
 public:
  Status mount_tmpfs(const std::string& target, const std::string& options) override {
    std::lock_guard lock(mu_);
    record("mount_tmpfs " + target + " " + options);
    if (auto e = faults.take("mount_tmpfs")) return *e;
    mounted_.insert(target);
    return ok_status();
  }
  Status bind_mount(const std::string& source, const std::string& target, bool read_only) override {
    std::lock_guard lock(mu_);
    record("bind " + source + " " + target + (read_only ? " ro" : " rw"));
    if (auto e = faults.take("bind_mount")) return *e;
    mounted_.insert(target);
    return ok_status();
  }
  Status unmount(const std::string& target) override {
    std::lock_guard lock(mu_);
    record("unmount " + target);
    if (auto e = faults.take("unmount")) return *e;
    mounted_.erase(target);
    return ok_status();
  }
  Result<bool> is_mounted(const std::string& target) override {
    std::lock_guard lock(mu_);
    if (auto e = faults.take("is_mounted")) return *e;
    return mounted_.count(target) > 0;
  }

  Status mount(const std::string& source, const std::string& target, const std::string& fstype,
               const std::vector<std::string>& options) override {
    std::lock_guard lock(mu_);
    std::string opts;
    for (const auto& o : options) opts += (opts.empty() ? "" : ",") + o;
    record("mount " + source + " " + target + " " + fstype + " " + opts);
    if (auto e = faults.take("mount")) return *e;
    mounted_.insert(target);
    return ok_status();
  }
  Result<std::string> probe_filesystem(const std::string& device) override {
    std::lock_guard lock(mu_);
    if (auto e = faults.take("probe_filesystem")) return *e;
    auto it = filesystems_.find(device);
    return it == filesystems_.end() ? std::string() : it->second;
  }
  Status format(const std::string& device, const std::string& fstype) override {
    std::lock_guard lock(mu_);
    record("format " + device + " " + fstype);
    if (auto e = faults.take("format")) return *e;
    filesystems_[device] = fstype;
    return ok_status();
  }

  // Gives `device` a filesystem, as if it had been formatted before.
  void set_filesystem(const std::string& device, const std::string& fstype) {
    std::lock_guard lock(mu_);
    filesystems_[device] = fstype;
  }
  Status make_rshared(const std::string& path) override {
    std::lock_guard lock(mu_);
    record("make_rshared " + path);
    if (auto e = faults.take("make_rshared")) return *e;
    return ok_status();
  }
  // Shared everywhere unless set_propagation says otherwise for a path (or a parent of it).
  Result<volumes::MountPropagation> propagation_of(const std::string& path) override {
    std::lock_guard lock(mu_);
    if (auto e = faults.take("propagation_of")) return *e;
    for (auto it = propagation_.rbegin(); it != propagation_.rend(); ++it)
      if (path.compare(0, it->first.size(), it->first) == 0) return it->second;
    return volumes::MountPropagation{"/", true, false};
  }
  void set_propagation(const std::string& prefix, volumes::MountPropagation p) {
    std::lock_guard lock(mu_);
    propagation_[prefix] = std::move(p);
  }

  // The calls so far, in order (is_mounted is a read and is not recorded).
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Marks `target` as mounted, as if a previous agent run had mounted it.
  void add_mounted(const std::string& target) {
    std::lock_guard lock(mu_);
    mounted_.insert(target);
  }

  Faults faults{{"mount_tmpfs", "bind_mount", "unmount", "is_mounted", "mount", "probe_filesystem", "format",
                 "make_rshared", "propagation_of"}};
  CallLog* log = nullptr;  // also gets "mounter.<call> ..." entries when set

 private:
  void record(std::string entry) {
    if (log) log->add("mounter." + entry);
    calls_.push_back(std::move(entry));
  }
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
  std::set<std::string> mounted_;
  std::map<std::string, std::string> filesystems_;
  std::map<std::string, volumes::MountPropagation> propagation_;
};

}  // namespace nodeagent::fakes
