// Applier: compile() streams chains into per-table editors; a chain is rewritten only when its
// encoded rules changed (or on a full sync); stale per-service chains are deleted after every
// rule that could jump to them has been replaced; then each table is committed once.
#include "network/proxy/applier.h"

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string_view>
#include <unordered_set>

#include "util/log.h"
#include "network/proxy/chain_names.h"

namespace nodeagent::network::proxy {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t hash_rules(const std::vector<iptables::Rule>& rules) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& r : rules) h = iptables::rule_hash(r, h);
  return h;
}

const std::vector<EndpointInfo>& endpoints_of(const ProxyState& s, const ServicePortName& n) {
  static const std::vector<EndpointInfo> kNone;
  auto it = s.endpoints.find(n);
  return it == s.endpoints.end() ? kNone : it->second;
}

struct ServiceChanges {
  std::set<ServicePortName> changed;  // new, or different definition or endpoints: rebuilt
  std::vector<ServicePortName> removed;  // gone: their chains are no longer wanted
  // No Service added or removed, and each changed one has the same entry points: the shared
  // chains (KUBE-SERVICES, KUBE-NODEPORTS, ...) need no rebuild.
  bool same_entry_points = true;
};

// One pass over both (sorted) maps.
ServiceChanges changed_services(const ProxyState& before, const ProxyState& after) {
  ServiceChanges out;
  auto b = before.services.begin();
  for (const auto& [name, svc] : after.services) {
    while (b != before.services.end() && b->first < name) out.removed.push_back((b++)->first);
    const bool known = b != before.services.end() && b->first == name;
    const bool same = known && b->second == svc && endpoints_of(before, name) == endpoints_of(after, name);
    if (!same) {
      out.changed.insert(name);
      out.same_entry_points = out.same_entry_points && known &&
                              proxy::same_entry_points(b->second, endpoints_of(before, name), svc, endpoints_of(after, name));
    }
    if (b != before.services.end() && b->first == name) ++b;
  }
  for (; b != before.services.end(); ++b) out.removed.push_back(b->first);
  if (!out.removed.empty()) out.same_entry_points = false;
  return out;
}

class EditingSink : public RulesetSink {
 public:
  using Memo = std::unordered_map<std::string, AppliedChain>;
  using ServiceChains = std::map<ServicePortName, std::vector<AppliedServiceChain>>;
  EditingSink(iptables::TableEditor* editors[3], Memo (&committed)[3], const ServiceChains& previous, uint64_t sync,
              bool full)
      : committed_(committed), previous_chains_(previous), sync_(sync), full_(full) {
    for (int i = 0; i < 3; ++i) editors_[i] = editors[i];
  }

  void chain(TableId table, const std::string& name, const std::vector<iptables::Rule>& rules) override {
    if (!status_.ok()) return;
    const int t = static_cast<int>(table);
    auto* editor = editors_[t];
    const uint64_t h = hash_rules(rules);
    if (current_ && table == TableId::kNat && is_per_service_chain(name)) {
      current_->push_back({name, h});
      ++wanted_service_chains_;
      if (!full_ && previous_) {
        auto old = std::find_if(previous_->begin(), previous_->end(), [&](const AppliedServiceChain& c) { return c.name == name; });
        if (old != previous_->end() && old->hash == h && editor->has_chain(name)) return;
      }
    } else {
      auto [it, inserted] = committed_[t].try_emplace(name);
      auto& memo = it->second;
      memo.wanted_in_sync = sync_;
      if (!full_ && !inserted && memo.hash == h && editor->has_chain(name)) return;
      memo.hash = h;
    }
    status_ = editor->replace_chain(name, rules);
    ++stats.chains_written;
    stats.rules_written += rules.size();
    stats.rules_per_table[t] += rules.size();
    if (changed_.size() < 8) changed_.push_back(std::string(table_name(table)) + "/" + name);
  }

  void begin_service(const ServicePortName& name) override {
    // The compiler goes through Services in order: appending at the end costs no search.
    current_ = &service_chains.emplace_hint(service_chains.end(), name, std::vector<AppliedServiceChain>{})->second;
    if (full_) return;  // a full sync rewrites every chain: no previous hashes needed
    auto it = previous_chains_.find(name);
    previous_ = it == previous_chains_.end() ? nullptr : &it->second;
  }

  // Only partial syncs keep Services; their chains must still be in the kernel.
  void keep_service(const ServicePortName& name) override {
    current_ = nullptr;
    if (!status_.ok()) return;
    const int t = static_cast<int>(TableId::kNat);
    // A table known to be the one we committed last holds every chain we kept.
    if (editors_[t]->is_as_committed()) return;
    auto it = previous_chains_.find(name);
    if (it == previous_chains_.end()) {
      status_ = Error{ErrorCode::kFailedPrecondition, "service " + name.to_string() + ": chains unknown; full resync needed"};
      return;
    }
    for (const auto& chain : it->second) {
      if (!editors_[t]->has_chain(chain.name)) {
        status_ = Error{ErrorCode::kFailedPrecondition,
                        "table nat: chain " + chain.name + " vanished from the kernel; full resync needed"};
        return;
      }
    }
  }

  // Jumps wait until every chain exists: libiptc resolves a jump target by name when the rule
  // is added, and an unknown name would be taken for a target extension.
  void jump(TableId table, const std::string& builtin, const iptables::Rule& rule) override {
    jumps_.push_back({table, builtin, rule});
  }

  // Inserted at the top in reverse, so that the built-in chain lists them in compiler order.
  Status ensure_jumps() {
    for (auto it = jumps_.rbegin(); it != jumps_.rend(); ++it) {
      const Jump& j = *it;
      if (!status_.ok()) break;
      status_ = editors_[static_cast<int>(j.table)]->ensure_rule(j.builtin, j.rule, iptables::Position::kFirst);
    }
    return status_;
  }

  // Deletes per-service chains of ours that the compiler no longer produced. All of them are
  // emptied first, since stale chains jump to each other (KUBE-SVC- -> KUBE-SEP-).
  Status delete_stale() {
    std::vector<std::string> stale[3];
    std::unordered_set<std::string_view> wanted;
    for (int t = 0; t < 3 && status_.ok(); ++t) {
      // Every chain this sync wanted is in the table (it was just written), so when the table
      // holds as many per-service chains as were wanted, none is stale: no lookups needed.
      const size_t ours = editors_[t]->count_chains(is_per_service_chain);
      const size_t expected = t == static_cast<int>(TableId::kNat) ? wanted_service_chains_ : 0;
      if (ours == expected) continue;
      const std::vector<std::string> chains = editors_[t]->chains();
      if (wanted.empty() && t == static_cast<int>(TableId::kNat)) {
        wanted.reserve(wanted_service_chains_);
        for (const auto& [svc, list] : service_chains) {
          for (const auto& c : list) wanted.insert(c.name);
        }
      }
      for (const auto& chain : chains) {
        if (!is_per_service_chain(chain) || (t == static_cast<int>(TableId::kNat) && wanted.count(chain))) continue;
        stale[t].push_back(chain);
        status_ = editors_[t]->replace_chain(chain, {});
        if (!status_.ok()) return status_;
      }
    }
    for (int t = 0; t < 3 && status_.ok(); ++t) {
      for (const auto& chain : stale[t]) {
        status_ = editors_[t]->delete_chain(chain);
        if (!status_.ok()) return status_;
        ++stats.chains_deleted;
        if (changed_.size() < 8) changed_.push_back(std::string(table_name(static_cast<TableId>(t))) + "/-" + chain);
      }
    }
    return status_;
  }

  // Partial sync: deletes the chains that the changed and the removed Services had and no longer
  // produce. Emptied first, then deleted, since they may jump to each other.
  Status delete_stale_of(const std::set<ServicePortName>& changed, const std::vector<ServicePortName>& removed) {
    const int t = static_cast<int>(TableId::kNat);
    std::vector<std::string> stale;
    auto collect = [&](const ServicePortName& svc) {
      auto old = previous_chains_.find(svc);
      if (old == previous_chains_.end()) return;
      auto now = service_chains.find(svc);
      for (const auto& chain : old->second) {
        const bool still = now != service_chains.end() &&
                           std::any_of(now->second.begin(), now->second.end(),
                                       [&](const AppliedServiceChain& c) { return c.name == chain.name; });
        if (!still && editors_[t]->has_chain(chain.name)) stale.push_back(chain.name);
      }
    };
    for (const auto& svc : changed) collect(svc);
    for (const auto& svc : removed) collect(svc);
    for (const auto& chain : stale) {
      if (!status_.ok()) return status_;
      status_ = editors_[t]->replace_chain(chain, {});
    }
    for (const auto& chain : stale) {
      if (!status_.ok()) return status_;
      status_ = editors_[t]->delete_chain(chain);
      ++stats.chains_deleted;
      if (changed_.size() < 8) changed_.push_back("nat/-" + chain);
    }
    return status_;
  }

  const Status& status() const { return status_; }
  // Forgets chains this sync did not want (they were deleted or were never ours).
  void forget_unwanted() {
    for (auto& memo : committed_) {
      for (auto it = memo.begin(); it != memo.end();) {
        it = it->second.wanted_in_sync == sync_ ? std::next(it) : memo.erase(it);
      }
    }
  }
  std::string changed_summary() const {
    std::string s;
    for (const auto& c : changed_) s += (s.empty() ? "" : ", ") + c;
    return s.empty() ? "(none)" : s;
  }
  ApplyStats stats;
  // Per Service port compiled in this sync: its own nat chains.
  ServiceChains service_chains;

 private:
  iptables::TableEditor* editors_[3];
  Memo (&committed_)[3];
  const ServiceChains& previous_chains_;
  std::vector<AppliedServiceChain>* current_ = nullptr;  // chains of the Service being compiled
  const std::vector<AppliedServiceChain>* previous_ = nullptr;  // its chains after the last sync
  size_t wanted_service_chains_ = 0;
  const uint64_t sync_;
  std::vector<std::string> changed_;
  struct Jump {
    TableId table;
    std::string builtin;
    iptables::Rule rule;
  };
  std::vector<Jump> jumps_;
  bool full_;
  Status status_;
};

}  // namespace

Result<ApplyStats> Applier::apply(const ProxyState& state, bool full) {
  auto log = log::get("proxy");
  const bool large = is_large_cluster(state, config_);
  full = full || force_full_ || large != last_large_cluster_;
  force_full_ = true;  // until this apply succeeds

  auto t0 = Clock::now();
  const double c0 = thread_cpu();
  // A full sync reads the tables back from the kernel (no cached copy of what we committed), so
  // that a foreign edit the cache's cheap check cannot see (same size and entry count) lasts at
  // most until the next full sync.
  if (full) iptables_.forget_cached_tables();
  std::unique_ptr<iptables::TableEditor> owned[3];
  for (TableId t : {TableId::kNat, TableId::kFilter, TableId::kMangle}) {
    auto editor = iptables_.open(table_name(t));
    if (!editor.ok()) return editor.error();
    owned[static_cast<int>(t)] = std::move(editor).value();
  }
  iptables::TableEditor* editors[3] = {owned[0].get(), owned[1].get(), owned[2].get()};
  const double open_s = seconds_since(t0);
  const double c1 = thread_cpu();

  auto t1 = Clock::now();
  EditingSink sink(editors, committed_, service_chains_, ++sync_number_, full);
  ServiceChanges changes;
  if (!full) changes = changed_services(last_state_, state);
  compile(state, config_, sink, full ? nullptr : &changes.changed, !full && changes.same_entry_points);
  NA_RETURN_IF_ERROR(sink.status());
  NA_RETURN_IF_ERROR(sink.ensure_jumps());
  // A full sync sweeps every per-service chain of the table (also those of an earlier run of
  // the agent); a partial one only those of the Services it rebuilt or removed.
  NA_RETURN_IF_ERROR(full ? sink.delete_stale() : sink.delete_stale_of(changes.changed, changes.removed));
  sink.stats.open_seconds = open_s;
  sink.stats.open_cpu = c1 - c0;
  sink.stats.compile_and_edit_seconds = seconds_since(t1);
  const double c2 = thread_cpu();
  sink.stats.compile_and_edit_cpu = c2 - c1;

  auto t2 = Clock::now();
  for (int t = 0; t < 3; ++t) {
    Status st = editors[t]->commit();
    if (!st.ok()) {
      // The kernel keeps its previous table; say which chains this commit was changing.
      for (auto& c : committed_) c.clear();
      return st.error().wrap(std::string("proxy sync (") + (full ? "full" : "partial") +
                             ", changed chains: " + sink.changed_summary() + ")");
    }
  }
  sink.stats.commit_seconds = seconds_since(t2);
  sink.stats.commit_cpu = thread_cpu() - c2;
  if (full) {
    sink.forget_unwanted();
    service_chains_ = std::move(sink.service_chains);
    last_state_ = state;
  } else {
    for (auto& [svc, chains] : sink.service_chains) service_chains_[svc] = std::move(chains);
    for (const auto& svc : changes.removed) {
      service_chains_.erase(svc);
      last_state_.services.erase(svc);
      last_state_.endpoints.erase(svc);
    }
    for (const auto& svc : changes.changed) {
      last_state_.services[svc] = state.services.at(svc);
      auto eps = state.endpoints.find(svc);
      if (eps == state.endpoints.end()) last_state_.endpoints.erase(svc);
      else last_state_.endpoints[svc] = eps->second;
    }
  }
  last_large_cluster_ = large;
  force_full_ = false;
  if (full) {
    // A full sync frees a table's worth of small allocations (the editor's index, the compiled
    // rules) that glibc would keep as free heap pages in the RSS (~40 MiB at 10k Services);
    // after it, and only then, hand them back.
    for (auto& editor : owned) editor.reset();
    malloc_trim(0);
  }
  log->debug("proxy sync: full={} chains_written={} chains_deleted={} rules={} open={:.3f}s edit={:.3f}s commit={:.3f}s",
             full, sink.stats.chains_written, sink.stats.chains_deleted, sink.stats.rules_written, open_s,
             sink.stats.compile_and_edit_seconds, sink.stats.commit_seconds);
  return sink.stats;
}

Result<bool> Applier::canary_missing() {
  NA_ASSIGN_OR_RETURN(auto mangle, iptables_.open("mangle"));
  return !mangle->has_chain(kCanaryChain);
}

}  // namespace nodeagent::network::proxy
