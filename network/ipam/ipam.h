// Host-local style IP address management for the node's pod CIDR, persisted in the state dir:
// one file per allocated IP (<dir>/<ip>, content "<pod uid>\n"), created atomically and
// exclusively (written to a temp file, then link()ed into place, which fails if the name is
// taken), so that neither an agent restart nor a second process can hand out an IP twice.
// The in-memory index is rebuilt from the files on open().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network {

class Ipam {
 public:
  // Opens (creating if needed) the store in `dir` for addresses of `range`. Files of addresses
  // outside `range` (the pod CIDR changed) are kept and indexed, so their pods still find and
  // release them, but their addresses are never handed out again.
  static Result<std::unique_ptr<Ipam>> open(const std::string& dir, const Ipv4Cidr& range);

  // The IP `pod_uid` already holds in the range, or a new one. Idempotent per pod UID.
  // Error kFailedPrecondition "no free IP in 10.244.1.0/24" when the range is exhausted.
  Result<Ipv4> allocate(const std::string& pod_uid);
  std::optional<Ipv4> lookup(const std::string& pod_uid) const;
  // Releases every IP that `pod_uid` holds; no error if it holds none.
  Status release(const std::string& pod_uid);
  // Garbage collection: releases the IPs of every pod not in `live_pod_uids` (pods that died
  // while the agent was down). Returns the UIDs whose IPs were released.
  Result<std::vector<std::string>> release_all_except(const std::set<std::string>& live_pod_uids);
  // IP -> pod UID, for status and tests.
  std::map<Ipv4, std::string> allocations() const;

  const Ipv4Cidr& range() const { return range_; }
  const std::string& dir() const { return dir_; }

 private:
  Ipam(std::string dir, Ipv4Cidr range) : dir_(std::move(dir)), range_(range) {}
 public:
  ~Ipam();
  Ipam(const Ipam&) = delete;
  Ipam& operator=(const Ipam&) = delete;

 private:
  Status load();
  Status release_locked(Ipv4 ip);

  const std::string dir_;
  const Ipv4Cidr range_;
  mutable std::mutex mu_;
  std::map<Ipv4, std::string> owner_by_ip_;
  std::optional<Ipv4> last_handed_out_;
  int last_handed_out_fd_ = -1;  // last_reserved_ip.0, rewritten in place (see ipam.cc)
};

}  // namespace nodeagent::network
