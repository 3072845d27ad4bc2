// A small map whose entries expire (the token and access review caches, as kubelet's webhook
// authenticator and authorizer keep them: 2 min for tokens, 5 min allowed / 30 s denied).
// The clock is injected for tests; bounded in size (the oldest entries go first when full).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace nodeagent::nodeapi {

template <class Value>
class TtlCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  explicit TtlCache(size_t max_entries = 4096, Now now = [] { return Clock::now(); })
      : max_(max_entries), now_(std::move(now)) {}

  std::optional<Value> get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now_() >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  void put(const std::string& key, Value value, std::chrono::milliseconds ttl) {
    std::lock_guard lock(mu_);
    auto now = now_();
    if (entries_.size() >= max_) {
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (now >= it->second.expires) it = entries_.erase(it);
        else ++it;
      }
      while (entries_.size() >= max_) entries_.erase(entries_.begin());
    }
    entries_[key] = Entry{std::move(value), now + ttl};
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    Value value;
    Clock::time_point expires;
  };
  size_t max_;
  Now now_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nodeagent::nodeapi
