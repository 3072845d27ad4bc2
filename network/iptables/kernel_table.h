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

namespace nodeagent::network::iptables {

class XtablesLock;
struct CommittedTables;

// After a commit it keeps the table it wrote (committed_image.h) and the next open() uses it
// instead of reading the table back when the kernel's GET_INFO (size, entry count, hook
// offsets) still matches. The trade-off: x_tables has no generation number, so a foreign edit
// that keeps all of those (say `iptables -R` swapping one address for another) is invisible to
// that check, and our next commit would put back the rule as we last saw it; this lasts until
// forget_cached_tables() (the Applier calls it on every full sync, the Runner makes one at least
// hourly). Any edit that adds or removes a rule or chain, or changes a rule's size, is seen. A
// foreign change of the entry count between our check and our replace is refused by the kernel
// itself (num_counters mismatch), as it is for libiptc.
class KernelIptables : public Iptables {
 public:
  explicit KernelIptables(std::string lock_path = "/run/xtables.lock");
  ~KernelIptables() override;
  // Several tables may be open at once; they share one hold of the xtables lock.
  Result<std::unique_ptr<TableEditor>> open(const std::string& table) override;
  void forget_cached_tables() override;

  // For tests and the benchmark: whether the last open() of `table` used the cache, and what the
  // cache holds (compressed bytes; CPU seconds of the last background compression of every table,
  // and how many chunks of `table` it rebuilt). They wait for that compression.
  bool last_open_used_cache(const std::string& table) const;
  size_t cached_image_bytes() const;
  double last_compress_cpu() const;
  size_t last_chunks_rebuilt(const std::string& table) const;

 private:
  std::string lock_path_;
  std::mutex mu_;
  std::weak_ptr<XtablesLock> lock_;
  std::shared_ptr<CommittedTables> cache_;
};

}  // namespace nodeagent::network::iptables
