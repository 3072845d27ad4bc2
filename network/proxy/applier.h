// The thin half of the proxier: streams the compiler's output into the kernel's nat, filter and
// mangle tables through iptables::Iptables, one atomic commit per table, touching only the
// proxy's own chains and its jumps from the built-in chains. Chains are replaced in place (never
// flushed first), so traffic sees either the old or the new rules, never a gap.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/result.h"
#include "network/iptables/table.h"
#include "network/proxy/compiler.h"

namespace nodeagent::network::proxy {

struct ApplyStats {
  size_t chains_written = 0;  // chains whose rules were (re)written
  size_t chains_deleted = 0;
  size_t rules_written = 0;
  size_t rules_per_table[3] = {0, 0, 0};  // written, by TableId (nat, filter, mangle)
  // Wall-clock seconds of each phase, and the same as CPU time of the syncing thread (which
  // includes the kernel's work in the syscalls, and is immune to other load on the machine).
  double open_seconds = 0;    // reading the tables from the kernel
  double compile_and_edit_seconds = 0;
  double commit_seconds = 0;  // writing them back, incl. the kernel's table replace
  double open_cpu = 0, compile_and_edit_cpu = 0, commit_cpu = 0;
};

// What the Applier remembers per shared chain (KUBE-SERVICES, KUBE-MARK-MASQ, ...): the hash of
// the rules it wrote, and the sync that last wanted the chain (chains not wanted by a successful
// sync are forgotten).
struct AppliedChain {
  uint64_t hash = 0;
  uint64_t wanted_in_sync = 0;
};

// One of a Service port's own nat chains (KUBE-SEP-, KUBE-SVC-, ...) and the hash of the rules
// the Applier wrote there. Kept per Service rather than in one map of 100k+ names: a partial
// sync only looks at the changed Services' lists.
struct AppliedServiceChain {
  std::string name;
  uint64_t hash = 0;
};

class Applier {
 public:
  Applier(iptables::Iptables& iptables, CompilerConfig config) : iptables_(iptables), config_(std::move(config)) {}

  // Makes the kernel match `state`. `full` recompiles and rewrites every chain. Otherwise only
  // the Services whose ports or endpoints changed since the last sync are recompiled, and only
  // chains whose rules differ are rewritten (kube-proxy's partial sync). After an error, or when
  // a kept chain turns out to be missing from the kernel, the next call is full.
  Result<ApplyStats> apply(const ProxyState& state, bool full);

  // True when the canary chain is missing from mangle (someone flushed the tables).
  Result<bool> canary_missing();

  const CompilerConfig& config() const { return config_; }

 private:
  iptables::Iptables& iptables_;
  CompilerConfig config_;
  // Per table: shared chain -> what the Applier last wrote there.
  std::unordered_map<std::string, AppliedChain> committed_[3];
  // Per Service port: its own nat chains as the last successful sync produced them. A partial
  // sync deletes stale chains from these lists alone, so that it costs per changed Service, not
  // per chain of the table.
  std::map<ServicePortName, std::vector<AppliedServiceChain>> service_chains_;
  uint64_t sync_number_ = 0;
  // What the last successful sync compiled, to find the Services a partial sync must rebuild
  // (only the entries of Services it compiled; updated per changed Service).
  ProxyState last_state_;
  bool last_large_cluster_ = false;
  bool force_full_ = true;
};

}  // namespace nodeagent::network::proxy
