// The thin half of the proxier: streams the compiler's output into the kernel's nat, filter and
// mangle tables through iptables::Iptables, one atomic commit per table, touching only the
// proxy's own chains and its jumps from the built-in chains. Chains are replaced in place (never
// flushed first), so traffic sees either the old or the new rules, never a gap.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "agent/util/result.h"
#include "network/iptables/table.h"
#include "network/proxy/compiler.h"

namespace nodeagent::proxy {

struct ApplyStats {
  size_t chains_written = 0;  // chains whose rules were (re)written
  size_t chains_deleted = 0;
  size_t rules_written = 0;
  double compile_and_edit_seconds = 0;
  double commit_seconds = 0;  // libiptc commit incl. the kernel's table replace
  double open_seconds = 0;    // libiptc reading the tables
};

class Applier {
 public:
  Applier(iptables::Iptables& iptables, CompilerConfig config) : iptables_(iptables), config_(std::move(config)) {}

  // Makes the kernel match `state`. `full` rewrites every chain; otherwise only chains whose
  // rules differ from what this Applier last committed. After an error the next call is full.
  Result<ApplyStats> apply(const ProxyState& state, bool full);

  // True when the canary chain is missing from mangle (someone flushed the tables).
  Result<bool> canary_missing();

  const CompilerConfig& config() const { return config_; }

 private:
  iptables::Iptables& iptables_;
  CompilerConfig config_;
  // table/chain -> hash of the encoded rules last committed.
  std::unordered_map<std::string, uint64_t> committed_;
  bool force_full_ = true;
};

}  // namespace nodeagent::proxy
