// Applier: compile() streams chains into per-table editors; a chain is rewritten only when its
// encoded rules changed (or on a full sync); stale per-service chains are deleted after every
// rule that could jump to them has been replaced; then each table is committed once.
#include "network/proxy/applier.h"

#include <chrono>
#include <set>

#include "agent/util/log.h"
#include "network/iptables/encode.h"
#include "network/proxy/chain_names.h"

namespace nodeagent::proxy {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// FNV-1a over the encoded rules: cheap change detection for a chain.
uint64_t hash_rules(const std::vector<iptables::Rule>& rules) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& r : rules) {
    auto enc = iptables::encode_rule(r);
    for (uint8_t b : enc.bytes) h = (h ^ b) * 1099511628211ull;
    for (char c : enc.jump_chain) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  return h;
}

class EditingSink : public RulesetSink {
 public:
  EditingSink(iptables::TableEditor* editors[3], std::unordered_map<std::string, uint64_t>& committed, bool full)
      : committed_(committed), full_(full) {
    for (int i = 0; i < 3; ++i) editors_[i] = editors[i];
  }

  void chain(TableId table, const std::string& name, const std::vector<iptables::Rule>& rules) override {
    if (!status_.ok()) return;
    auto* editor = editors_[static_cast<int>(table)];
    const std::string key = std::string(table_name(table)) + "/" + name;
    desired_[static_cast<int>(table)].insert(name);
    const uint64_t h = hash_rules(rules);
    auto it = committed_.find(key);
    if (!full_ && it != committed_.end() && it->second == h && editor->has_chain(name)) {
      new_committed_[key] = h;
      return;
    }
    status_ = editor->replace_chain(name, rules);
    new_committed_[key] = h;
    ++stats.chains_written;
    stats.rules_written += rules.size();
    if (changed_.size() < 8) changed_.push_back(key);
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
    for (int t = 0; t < 3 && status_.ok(); ++t) {
      for (const auto& chain : editors_[t]->chains()) {
        if (!is_per_service_chain(chain) || desired_[t].count(chain)) continue;
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

  const Status& status() const { return status_; }
  std::unordered_map<std::string, uint64_t>& new_committed() { return new_committed_; }
  std::string changed_summary() const {
    std::string s;
    for (const auto& c : changed_) s += (s.empty() ? "" : ", ") + c;
    return s.empty() ? "(none)" : s;
  }
  ApplyStats stats;

 private:
  iptables::TableEditor* editors_[3];
  std::unordered_map<std::string, uint64_t>& committed_;
  std::unordered_map<std::string, uint64_t> new_committed_;
  std::set<std::string> desired_[3];
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
  full = full || force_full_;
  force_full_ = true;  // until this apply succeeds

  auto t0 = Clock::now();
  std::unique_ptr<iptables::TableEditor> owned[3];
  for (TableId t : {TableId::kNat, TableId::kFilter, TableId::kMangle}) {
    auto editor = iptables_.open(table_name(t));
    if (!editor.ok()) return editor.error();
    owned[static_cast<int>(t)] = std::move(editor).value();
  }
  iptables::TableEditor* editors[3] = {owned[0].get(), owned[1].get(), owned[2].get()};
  const double open_s = seconds_since(t0);

  auto t1 = Clock::now();
  EditingSink sink(editors, committed_, full);
  compile(state, config_, sink);
  NA_RETURN_IF_ERROR(sink.status());
  NA_RETURN_IF_ERROR(sink.ensure_jumps());
  NA_RETURN_IF_ERROR(sink.delete_stale());
  sink.stats.open_seconds = open_s;
  sink.stats.compile_and_edit_seconds = seconds_since(t1);

  auto t2 = Clock::now();
  for (int t = 0; t < 3; ++t) {
    Status st = editors[t]->commit();
    if (!st.ok()) {
      // The kernel keeps its previous table; say which chains this commit was changing.
      committed_.clear();
      return st.error().wrap(std::string("proxy sync (") + (full ? "full" : "partial") +
                             ", changed chains: " + sink.changed_summary() + ")");
    }
  }
  sink.stats.commit_seconds = seconds_since(t2);
  committed_ = std::move(sink.new_committed());
  force_full_ = false;
  log->debug("proxy sync: full={} chains_written={} chains_deleted={} rules={} open={:.3f}s edit={:.3f}s commit={:.3f}s",
             full, sink.stats.chains_written, sink.stats.chains_deleted, sink.stats.rules_written, open_s,
             sink.stats.compile_and_edit_seconds, sink.stats.commit_seconds);
  return sink.stats;
}

Result<bool> Applier::canary_missing() {
  NA_ASSIGN_OR_RETURN(auto mangle, iptables_.open("mangle"));
  return !mangle->has_chain(kCanaryChain);
}

}  // namespace nodeagent::proxy
