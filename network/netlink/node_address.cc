#include "network/netlink/node_address.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <cstring>

#include "network/netlink/nl_util.h"
#include "util/log.h"

namespace nodeagent::network {

namespace {

bool ignored(const LinkAddress& a, const std::vector<std::string>& ignore) {
  return std::find(ignore.begin(), ignore.end(), a.link) != ignore.end();
}

bool usable(const LinkAddress& a, const std::vector<std::string>& ignore) {
  return a.up && !a.loopback && a.global_scope && !ignored(a, ignore);
}

Result<nl::Cache> alloc_cache(nl_sock* sock, int (*alloc)(nl_sock*, nl_cache**), const char* what) {
  nl_cache* raw = nullptr;
  if (int rc = alloc(sock, &raw); rc < 0) return nl::nl_error(what, rc);
  return nl::Cache(raw);
}

int alloc_links(nl_sock* sock, nl_cache** out) { return rtnl_link_alloc_cache(sock, AF_UNSPEC, out); }
int alloc_addrs(nl_sock* sock, nl_cache** out) { return rtnl_addr_alloc_cache(sock, out); }
int alloc_routes(nl_sock* sock, nl_cache** out) { return rtnl_route_alloc_cache(sock, AF_INET, 0, out); }

// The outgoing interface of the main table's IPv4 default route with the lowest metric; 0 if none.
int default_route_ifindex(nl_cache* routes) {
  int best_ifindex = 0;
  uint32_t best_metric = UINT32_MAX;
  for (nl_object* obj = nl_cache_get_first(routes); obj; obj = nl_cache_get_next(obj)) {
    auto* route = reinterpret_cast<rtnl_route*>(obj);
    nl_addr* dst = rtnl_route_get_dst(route);
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN || (dst && nl_addr_get_prefixlen(dst) != 0)) continue;
    rtnl_nexthop* nh = rtnl_route_nexthop_n(route, 0);
    if (!nh) continue;
    const uint32_t metric = rtnl_route_get_priority(route);
    if (metric < best_metric) {
      best_metric = metric;
      best_ifindex = rtnl_route_nh_get_ifindex(nh);
    }
  }
  return best_ifindex;
}

}  // namespace

Result<Ipv4> choose_node_ip(const std::vector<LinkAddress>& addresses, int default_route_ifindex,
                            const std::vector<std::string>& ignore) {
  if (default_route_ifindex > 0) {
    for (const auto& a : addresses)
      if (a.ifindex == default_route_ifindex && usable(a, ignore)) return a.address;
  }
  for (const auto& a : addresses)
    if (usable(a, ignore)) return a.address;
  return not_found("--node-ip: not given, and this node has no global IPv4 address on an up interface to use; "
                   "set --node-ip");
}

Result<Ipv4> discover_node_ip(const std::vector<std::string>& ignore) {
  NA_ASSIGN_OR_RETURN(auto sock, nl::open_route_socket());
  NA_ASSIGN_OR_RETURN(auto links, alloc_cache(sock.get(), alloc_links, "--node-ip discovery: list links"));
  NA_ASSIGN_OR_RETURN(auto addrs, alloc_cache(sock.get(), alloc_addrs, "--node-ip discovery: list addresses"));
  NA_ASSIGN_OR_RETURN(auto routes, alloc_cache(sock.get(), alloc_routes, "--node-ip discovery: list routes"));
  std::vector<LinkAddress> found;
  for (nl_object* obj = nl_cache_get_first(addrs.get()); obj; obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    nl_addr* local = rtnl_addr_get_local(addr);
    if (rtnl_addr_get_family(addr) != AF_INET || !local || nl_addr_get_len(local) != 4) continue;
    LinkAddress la;
    la.ifindex = rtnl_addr_get_ifindex(addr);
    la.global_scope = rtnl_addr_get_scope(addr) == RT_SCOPE_UNIVERSE;
    uint32_t be = 0;
    std::memcpy(&be, nl_addr_get_binary_addr(local), 4);
    la.address = Ipv4{ntohl(be)};
    if (rtnl_link* link = rtnl_link_get(links.get(), la.ifindex)) {
      la.link = rtnl_link_get_name(link);
      la.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
      la.loopback = (rtnl_link_get_flags(link) & IFF_LOOPBACK) != 0;
      rtnl_link_put(link);
    }
    found.push_back(la);
  }
  return choose_node_ip(found, default_route_ifindex(routes.get()), ignore);
}

Result<std::string> resolve_node_ip(const std::string& flag, const std::vector<std::string>& ignore, bool required) {
  if (!flag.empty()) return flag;
  auto found = discover_node_ip(ignore);
  auto logger = log::get("network");
  if (found.ok()) {
    logger->info("--node-ip not given; using {} (the default route's interface, else the first global address)",
                 found->str());
    return found->str();
  }
  if (required) return found.error();
  logger->warn("{}; status.hostIP stays empty", found.error().message);
  return std::string();
}

}  // namespace nodeagent::network
