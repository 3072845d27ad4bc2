// TableEditor over libip4tc (the legacy x_tables API that iptables-legacy uses): the whole table
// is read into libiptc's cache on open and written back by one IPT_SO_SET_REPLACE on commit.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "network/iptables/table.h"

namespace nodeagent::network::iptables {

class XtablesLock;

class LibiptcIptables : public Iptables {
 public:
  explicit LibiptcIptables(std::string lock_path = "/run/xtables.lock") : lock_path_(std::move(lock_path)) {}
  // Several tables may be open at once; they share one hold of the xtables lock.
  Result<std::unique_ptr<TableEditor>> open(const std::string& table) override;

 private:
  std::string lock_path_;
  std::mutex mu_;
  std::weak_ptr<XtablesLock> lock_;
};

}  // namespace nodeagent::network::iptables
