// In-memory iptables for unit tests: tables of ordered chains, editors that work on a copy and
// publish it on commit (like the kernel's atomic table replace), injectable commit failures,
// and a count of commits.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "network/iptables/table.h"

namespace proxytest {

using nodeagent::Error;
using nodeagent::ErrorCode;
using nodeagent::Result;
using nodeagent::Status;
namespace ipt = nodeagent::network::iptables;

struct FakeTable {
  std::vector<std::string> order;  // chain names, built-ins first
  std::map<std::string, std::vector<ipt::Rule>> chains;
  bool has(const std::string& c) const { return chains.count(c) > 0; }
};

class FakeIptables : public ipt::Iptables {
 public:
  FakeIptables() {
    for (const char* t : {"nat", "filter", "mangle"}) {
      FakeTable table;
      for (const char* c : {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}) {
        table.order.push_back(c);
        table.chains[c] = {};
      }
      tables[t] = table;
    }
  }

  Result<std::unique_ptr<ipt::TableEditor>> open(const std::string& table) override;

  std::map<std::string, FakeTable> tables;
  int commits = 0;
  int fail_next_commits = 0;  // > 0: that many commits fail like a kernel EINVAL
};

class FakeEditor : public ipt::TableEditor {
 public:
  FakeEditor(FakeIptables& owner, std::string name) : owner_(owner), name_(std::move(name)), t_(owner.tables[name_]) {}
  const std::string& table_name() const override { return name_; }
  std::vector<std::string> chains() const override {
    std::vector<std::string> out;
    for (const auto& c : t_.order) {
      if (t_.has(c)) out.push_back(c);
    }
    return out;
  }
  bool has_chain(const std::string& c) const override { return t_.has(c); }
  Result<std::vector<ipt::Rule>> rules(const std::string& c) const override {
    if (!t_.has(c)) return nodeagent::not_found("no chain " + c);
    return t_.chains.at(c);
  }
  Status ensure_chain(const std::string& c) override {
    if (!t_.has(c)) {
      t_.order.push_back(c);
      t_.chains[c] = {};
    }
    return {};
  }
  Status replace_chain(const std::string& c, const std::vector<ipt::Rule>& rules) override {
    for (const auto& r : rules) {
      if (auto* j = std::get_if<ipt::JumpTarget>(&r.target); j && !t_.has(j->chain))
        return Error{ErrorCode::kInternal, "jump to missing chain " + j->chain};
    }
    (void)ensure_chain(c);
    t_.chains[c] = rules;
    return {};
  }
  Status ensure_rule(const std::string& c, const ipt::Rule& rule, ipt::Position where) override {
    auto& rs = t_.chains[c];
    if (std::find(rs.begin(), rs.end(), rule) != rs.end()) return {};
    rs.insert(where == ipt::Position::kFirst ? rs.begin() : rs.end(), rule);
    return {};
  }
  Status delete_rule(const std::string& c, const ipt::Rule& rule) override {
    auto& rs = t_.chains[c];
    rs.erase(std::remove(rs.begin(), rs.end(), rule), rs.end());
    return {};
  }
  Status delete_chain(const std::string& c) override {
    for (const auto& [name, rs] : t_.chains) {
      for (const auto& r : rs) {
        if (auto* j = std::get_if<ipt::JumpTarget>(&r.target); j && j->chain == c)
          return Error{ErrorCode::kFailedPrecondition, "chain " + c + " referenced from " + name};
      }
    }
    t_.chains.erase(c);
    t_.order.erase(std::remove(t_.order.begin(), t_.order.end(), c), t_.order.end());
    return {};
  }
  Status commit() override {
    if (owner_.fail_next_commits > 0) {
      --owner_.fail_next_commits;
      return Error{ErrorCode::kInternal, "iptables table " + name_ + ": replace rejected by the kernel: Invalid argument"};
    }
    owner_.tables[name_] = t_;
    ++owner_.commits;
    return {};
  }

 private:
  FakeIptables& owner_;
  std::string name_;
  FakeTable t_;
};

inline Result<std::unique_ptr<ipt::TableEditor>> FakeIptables::open(const std::string& table) {
  return std::unique_ptr<ipt::TableEditor>(new FakeEditor(*this, table));
}

}  // namespace proxytest
