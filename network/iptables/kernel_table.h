// TableEditor that talks to x_tables directly (IPT_SO_GET_INFO / GET_ENTRIES to read, one
// IPT_SO_SET_REPLACE to commit, IPT_SO_SET_ADD_COUNTERS to give every kept rule its counters
// back), without libiptc. It exists because libiptc's per-chain bookkeeping costs seconds at
// 100k+ chains (see bench/proxy); here a table is one byte blob plus a light index, rules we
// do not touch are copied as bytes, and only the chains we replace are encoded.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "network/iptables/table.h"

namespace nodeagent::iptables {

class XtablesLock;

class KernelIptables : public Iptables {
 public:
  explicit KernelIptables(std::string lock_path = "/run/xtables.lock") : lock_path_(std::move(lock_path)) {}
  // Several tables may be open at once; they share one hold of the xtables lock.
  Result<std::unique_ptr<TableEditor>> open(const std::string& table) override;

 private:
  std::string lock_path_;
  std::mutex mu_;
  std::weak_ptr<XtablesLock> lock_;
};

}  // namespace nodeagent::iptables
