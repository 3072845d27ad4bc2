// Small RAII and error helpers over libnl-route, shared by the libnl implementation files.
// libnl reports negative NLE_* codes (not errno); nl_error() turns them into Error values
// with the operation and object named.
#pragma once

#include <memory>
#include <string>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "util/ipv4.h"
#include "util/result.h"

namespace nodeagent::network::nl {

struct SocketFree { void operator()(nl_sock* s) const { nl_socket_free(s); } };
struct LinkPut { void operator()(rtnl_link* l) const { rtnl_link_put(l); } };
struct AddrPut { void operator()(nl_addr* a) const { nl_addr_put(a); } };
struct RtnlAddrPut { void operator()(rtnl_addr* a) const { rtnl_addr_put(a); } };
struct RoutePut { void operator()(rtnl_route* r) const { rtnl_route_put(r); } };
struct CacheFree { void operator()(nl_cache* c) const { nl_cache_free(c); } };

using Socket = std::unique_ptr<nl_sock, SocketFree>;
using Link = std::unique_ptr<rtnl_link, LinkPut>;
using Addr = std::unique_ptr<nl_addr, AddrPut>;
using RtnlAddr = std::unique_ptr<rtnl_addr, RtnlAddrPut>;
using Route = std::unique_ptr<rtnl_route, RoutePut>;
using Cache = std::unique_ptr<nl_cache, CacheFree>;

// "<what>: <nl_geterror(code)>"; kNotFound for "no such device/object", kAlreadyExists for NLE_EXIST.
Error nl_error(const std::string& what, int code);
bool is_not_found(int code);

// A NETLINK_ROUTE socket in the calling thread's network namespace.
Result<Socket> open_route_socket();
// The link called `name`, from the kernel (not a cache). NotFound if there is none.
Result<Link> get_link(nl_sock* sock, const std::string& name);
// An nl_addr for an IPv4 address with a prefix length.
Addr make_addr(Ipv4 ip, int prefix_len);

// Brings a link up (and sets its MTU when mtu > 0), only sending a change when needed.
Status ensure_up(nl_sock* sock, rtnl_link* link, int mtu, const std::string& what);
// Adds `address` to the link; an address that is already there is fine.
Status ensure_address(nl_sock* sock, int ifindex, const Ipv4Cidr& address, const std::string& what);
// Adds or replaces the route to `destination` via `gateway` (over `ifindex` if > 0), with
// routing protocol `protocol` (RTPROT_STATIC unless told otherwise).
Status replace_route(nl_sock* sock, const Ipv4Cidr& destination, Ipv4 gateway, int ifindex,
                     const std::string& what, int protocol = 4 /* RTPROT_STATIC */);
// Whether the link has `address` (exact address and prefix).
Result<bool> has_address(nl_sock* sock, int ifindex, const Ipv4Cidr& address);

}  // namespace nodeagent::network::nl
