// The file operations a cgroupfs driver needs, behind an interface so that the driver's logic
// is unit-tested with an in-memory fake (test/unit/cgroups) and only cgroup_fs_linux.cc
// touches /sys/fs/cgroup. Paths are absolute.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::runtime::cgroups {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;
  virtual bool exists(const std::string& path) = 0;
  virtual Status make_dir(const std::string& path) = 0;          // no error if it exists
  // Removes an empty cgroup dir; kUnavailable when busy (EBUSY), ok if already gone.
  virtual Status remove_dir(const std::string& path) = 0;
  virtual Status write_file(const std::string& path, const std::string& value) = 0;
  virtual Result<std::string> read_file(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> list_dirs(const std::string& path) = 0;  // names
};

std::unique_ptr<CgroupFs> make_linux_cgroup_fs();

}  // namespace nodeagent::runtime::cgroups
