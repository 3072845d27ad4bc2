#include "network/netlink/nl_util.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <netlink/errno.h>

namespace nodeagent::network::nl {

bool is_not_found(int code) {
  const int c = code < 0 ? -code : code;
  return c == NLE_OBJ_NOTFOUND || c == NLE_NODEV;
}

Error nl_error(const std::string& what, int code) {
  const int c = code < 0 ? -code : code;
  ErrorCode kind = ErrorCode::kInternal;
  if (is_not_found(c)) kind = ErrorCode::kNotFound;
  if (c == NLE_EXIST) kind = ErrorCode::kAlreadyExists;
  return Error{kind, what + ": " + nl_geterror(c)};
}

Result<Socket> open_route_socket() {
  Socket sock(nl_socket_alloc());
  if (!sock) return internal("netlink: cannot allocate a socket");
  if (int rc = nl_connect(sock.get(), NETLINK_ROUTE); rc < 0) return nl_error("netlink: connect", rc);
  return sock;
}

Result<Link> get_link(nl_sock* sock, const std::string& name) {
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(sock, 0, name.c_str(), &raw); rc < 0) {
    return nl_error("link " + name, rc);
  }
  return Link(raw);
}

Addr make_addr(Ipv4 ip, int prefix_len) {
  const uint32_t be = htonl(ip.value);
  Addr addr(nl_addr_build(AF_INET, &be, sizeof(be)));
  nl_addr_set_prefixlen(addr.get(), prefix_len);
  return addr;
}

Status ensure_up(nl_sock* sock, rtnl_link* link, int mtu, const std::string& what) {
  const bool up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  const bool mtu_ok = mtu <= 0 || rtnl_link_get_mtu(link) == static_cast<unsigned>(mtu);
  if (up && mtu_ok) return ok_status();
  Link change(rtnl_link_alloc());
  if (!mtu_ok) rtnl_link_set_mtu(change.get(), static_cast<unsigned>(mtu));
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int rc = rtnl_link_change(sock, link, change.get(), 0); rc < 0) return nl_error(what + ": set up", rc);
  return ok_status();
}

Status ensure_address(nl_sock* sock, int ifindex, const Ipv4Cidr& address, const std::string& what) {
  RtnlAddr addr(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  Addr local = make_addr(address.address, address.prefix_len);
  rtnl_addr_set_local(addr.get(), local.get());
  int rc = rtnl_addr_add(sock, addr.get(), NLM_F_CREATE | NLM_F_EXCL);
  if (rc < 0 && rc != -NLE_EXIST) return nl_error(what + ": add address " + address.str(), rc);
  return ok_status();
}

Status replace_route(nl_sock* sock, const Ipv4Cidr& destination, Ipv4 gateway, int ifindex,
                     const std::string& what, int protocol) {
  Route route(rtnl_route_alloc());
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), static_cast<uint8_t>(protocol));
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  Addr dst = make_addr(destination.address, destination.prefix_len);
  if (int rc = rtnl_route_set_dst(route.get(), dst.get()); rc < 0) return nl_error(what, rc);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();  // owned by the route once added
  Addr via = make_addr(gateway, 32);
  rtnl_route_nh_set_gateway(nh, via.get());
  if (ifindex > 0) rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_add_nexthop(route.get(), nh);
  if (int rc = rtnl_route_add(sock, route.get(), NLM_F_CREATE | NLM_F_REPLACE); rc < 0) {
    // The kernel's usual reason (ENETUNREACH) reaches us as NLE_FAILURE, so say what to check.
    return nl_error(what + ": route " + destination.str() + " via " + gateway.str() +
                        " (is " + gateway.str() + " on a directly connected, up network?)", rc);
  }
  return ok_status();
}

Result<bool> has_address(nl_sock* sock, int ifindex, const Ipv4Cidr& address) {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock, &raw); rc < 0) return nl_error("list addresses", rc);
  Cache cache(raw);
  Addr wanted = make_addr(address.address, address.prefix_len);
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(obj);
    if (rtnl_addr_get_ifindex(addr) != ifindex || rtnl_addr_get_family(addr) != AF_INET) continue;
    nl_addr* local = rtnl_addr_get_local(addr);
    if (local && nl_addr_cmp(local, wanted.get()) == 0 &&
        nl_addr_get_prefixlen(local) == static_cast<unsigned>(address.prefix_len)) {
      return true;
    }
  }
  return false;
}

}  // namespace nodeagent::network::nl
