// Shared plumbing for hand-written fakes: a call log that several fakes append to (so a test can
// assert the order of calls across edges), and per-call error injection. Thread-safe: the pod
// syncer stops app containers from several threads at once.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/result.h"

namespace nodeagent::fakes {

// Entries read "<edge>.<call> <subject>", e.g. "sandbox.ensure uid-web", "containers.start app".
class CallLog {
 public:
  void add(std::string entry) {
    std::lock_guard lock(mu_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }
  // The entries whose call ("<edge>.<call>", the part before the space) is one of `calls`: the
  // steps a test cares about, without the reads the syncer makes on every sync.
  std::vector<std::string> only(const std::set<std::string>& calls) const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : entries_)
      if (calls.count(e.substr(0, e.find(' ')))) out.push_back(e);
    return out;
  }
  void clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> entries_;
};

// Errors queued per call name; each call takes the next one. The names are fixed when the fake
// is built, so that a typo in a test throws instead of silently injecting nothing.
class Faults {
 public:
  explicit Faults(std::set<std::string> calls) : calls_(std::move(calls)) {}

  // The next `times` calls of `call` fail with `error`.
  void fail(const std::string& call, Error error, int times = 1) {
    std::lock_guard lock(mu_);
    if (!calls_.count(call)) throw std::logic_error("fake has no call \"" + call + "\"");
    for (int i = 0; i < times; ++i) queued_[call].push_back(error);
  }
  std::optional<Error> take(const std::string& call) {
    std::lock_guard lock(mu_);
    auto it = queued_.find(call);
    if (it == queued_.end() || it->second.empty()) return std::nullopt;
    Error e = it->second.front();
    it->second.pop_front();
    return e;
  }

 private:
  std::mutex mu_;
  std::set<std::string> calls_;
  std::map<std::string, std::deque<Error>> queued_;
};

}  // namespace nodeagent::fakes
