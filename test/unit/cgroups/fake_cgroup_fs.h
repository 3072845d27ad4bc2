// In-memory CgroupFs for unit tests: records directories and file writes, and can make a
// directory look busy for a number of removal attempts.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/cgroups/cgroup_fs.h"

class FakeCgroupFs final : public nodeagent::runtime::cgroups::CgroupFs {
 public:
  struct State {
    std::set<std::string> dirs;
    std::map<std::string, std::string> files;   // path -> last value written (or preset)
    std::vector<std::string> writes;            // "path=value" in order
    std::map<std::string, int> busy_removals;   // dir -> removals that still fail with EBUSY
    int remove_attempts = 0;
  };
  explicit FakeCgroupFs(State* state) : s_(state) {}

  bool exists(const std::string& path) override { return s_->dirs.count(path) || s_->files.count(path); }
  nodeagent::Status make_dir(const std::string& path) override {
    s_->dirs.insert(path);
    return nodeagent::ok_status();
  }
  nodeagent::Status remove_dir(const std::string& path) override {
    ++s_->remove_attempts;
    if (auto it = s_->busy_removals.find(path); it != s_->busy_removals.end() && it->second > 0) {
      --it->second;
      return nodeagent::unavailable("remove cgroup " + path + ": busy");
    }
    for (const auto& d : s_->dirs) {
      if (d.rfind(path + "/", 0) == 0) return nodeagent::unavailable("remove cgroup " + path + ": has children");
    }
    s_->dirs.erase(path);
    return nodeagent::ok_status();
  }
  nodeagent::Status write_file(const std::string& path, const std::string& value) override {
    s_->files[path] = value;
    s_->writes.push_back(path + "=" + value);
    return nodeagent::ok_status();
  }
  nodeagent::Result<std::string> read_file(const std::string& path) override {
    auto it = s_->files.find(path);
    if (it == s_->files.end()) return nodeagent::not_found(path);
    return it->second;
  }
  nodeagent::Result<std::vector<std::string>> list_dirs(const std::string& path) override {
    std::vector<std::string> names;
    for (const auto& d : s_->dirs) {
      if (d.rfind(path + "/", 0) == 0 && d.find('/', path.size() + 1) == std::string::npos) {
        names.push_back(d.substr(path.size() + 1));
      }
    }
    return names;
  }

 private:
  State* s_;
};
