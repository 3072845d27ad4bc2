// NetlinkOps over libnl-route. The node-side socket is opened once inside the node's namespace
// (a netlink socket stays bound to the namespace it was created in) and shared under a mutex;
// pod-side work runs on a short-lived thread that joined the pod's namespace (netns.h).
#include <fcntl.h>
#include <net/if.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include <netlink/errno.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include "util/log.h"
#include "network/netlink/netlink_ops.h"
#include "network/netlink/netns.h"
#include "network/netlink/nl_util.h"

namespace nodeagent::network {

namespace {

// An fd of the pod's netns, for IFLA_NET_NS_FD; closed at scope exit.
class NetnsFd {
 public:
  explicit NetnsFd(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~NetnsFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  NetnsFd(const NetnsFd&) = delete;
  NetnsFd& operator=(const NetnsFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Inside the pod's namespace: is the pod end complete (up, with its address)?
Result<bool> pod_side_complete(const PodInterfaceSpec& spec) {
  NA_ASSIGN_OR_RETURN(nl::Socket sock, nl::open_route_socket());
  auto link = nl::get_link(sock.get(), spec.pod_ifname);
  if (!link.ok()) return link.error().code == ErrorCode::kNotFound ? Result<bool>(false) : link.error();
  if ((rtnl_link_get_flags(link->get()) & IFF_UP) == 0) return false;
  return nl::has_address(sock.get(), rtnl_link_get_ifindex(link->get()), spec.address);
}

// Inside the pod's namespace: lo up, the pod end up with its address and default route.
Status configure_pod_side(const PodInterfaceSpec& spec) {
  const std::string what = "pod netns " + spec.netns_path;
  NA_ASSIGN_OR_RETURN(nl::Socket sock, nl::open_route_socket());
  NA_ASSIGN_OR_RETURN(nl::Link lo, nl::get_link(sock.get(), "lo"));
  NA_RETURN_IF_ERROR(nl::ensure_up(sock.get(), lo.get(), 0, what + ": lo"));
  NA_ASSIGN_OR_RETURN(nl::Link eth, nl::get_link(sock.get(), spec.pod_ifname));
  const int ifindex = rtnl_link_get_ifindex(eth.get());
  const std::string eth_what = what + ": " + spec.pod_ifname;
  NA_RETURN_IF_ERROR(nl::ensure_up(sock.get(), eth.get(), 0, eth_what));
  NA_RETURN_IF_ERROR(nl::ensure_address(sock.get(), ifindex, spec.address, eth_what));
  return nl::replace_route(sock.get(), Ipv4Cidr{Ipv4{0}, 0}, spec.gateway, ifindex, eth_what);
}

// Inside the pod's namespace: removes a leftover pod end (of a veth whose host end has another
// name, e.g. from an older naming scheme), so the new one can take its name.
Status delete_pod_side(const PodInterfaceSpec& spec) {
  NA_ASSIGN_OR_RETURN(nl::Socket sock, nl::open_route_socket());
  nl::Link link(rtnl_link_alloc());
  rtnl_link_set_name(link.get(), spec.pod_ifname.c_str());
  int rc = rtnl_link_delete(sock.get(), link.get());
  if (rc < 0 && !nl::is_not_found(rc)) return nl::nl_error("pod netns " + spec.netns_path + ": delete " + spec.pod_ifname, rc);
  return ok_status();
}

class LibnlOps final : public NetlinkOps {
 public:
  LibnlOps(std::string node_netns_path, nl::Socket node_sock)
      : node_netns_path_(std::move(node_netns_path)), node_sock_(std::move(node_sock)) {}

  Status ensure_bridge(const BridgeSpec& spec) override {
    std::lock_guard lock(node_mu_);
    const std::string what = "bridge " + spec.name;
    auto existing = nl::get_link(node_sock_.get(), spec.name);
    if (!existing.ok() && existing.error().code != ErrorCode::kNotFound) return existing.error();
    if (!existing.ok()) {
      nl::Link bridge(rtnl_link_alloc());
      rtnl_link_set_name(bridge.get(), spec.name.c_str());
      if (int rc = rtnl_link_set_type(bridge.get(), "bridge"); rc < 0) return nl::nl_error(what, rc);
      rtnl_link_set_mtu(bridge.get(), static_cast<unsigned>(spec.mtu));
      rtnl_link_set_flags(bridge.get(), IFF_UP);
      int rc = rtnl_link_add(node_sock_.get(), bridge.get(), NLM_F_CREATE | NLM_F_EXCL);
      if (rc < 0 && rc != -NLE_EXIST) return nl::nl_error(what + ": create", rc);
      existing = nl::get_link(node_sock_.get(), spec.name);
      if (!existing.ok()) return existing.error();
    }
    const char* type = rtnl_link_get_type(existing->get());
    if (!type || std::string(type) != "bridge") {
      return Error{ErrorCode::kFailedPrecondition,
                   what + ": a link of that name exists and is a " + (type ? type : "device without type") +
                       ", not a bridge"};
    }
    NA_RETURN_IF_ERROR(nl::ensure_up(node_sock_.get(), existing->get(), spec.mtu, what));
    return nl::ensure_address(node_sock_.get(), rtnl_link_get_ifindex(existing->get()), spec.address, what);
  }

  Status ensure_route(const RouteSpec& spec) override {
    std::lock_guard lock(node_mu_);
    return nl::replace_route(node_sock_.get(), spec.destination, spec.via, 0, "node", kPodRouteProtocol);
  }

  Result<std::vector<RouteSpec>> pod_routes() override {
    std::lock_guard lock(node_mu_);
    nl_cache* raw = nullptr;
    if (int rc = rtnl_route_alloc_cache(node_sock_.get(), AF_INET, 0, &raw); rc < 0) return nl::nl_error("list routes", rc);
    nl::Cache cache(raw);
    std::vector<RouteSpec> routes;
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
      auto* route = reinterpret_cast<rtnl_route*>(obj);
      if (rtnl_route_get_protocol(route) != kPodRouteProtocol || rtnl_route_get_table(route) != RT_TABLE_MAIN) continue;
      nl_addr* dst = rtnl_route_get_dst(route);
      rtnl_nexthop* nh = rtnl_route_nexthop_n(route, 0);
      nl_addr* gw = nh ? rtnl_route_nh_get_gateway(nh) : nullptr;
      if (!dst || !gw || nl_addr_get_len(dst) != 4 || nl_addr_get_len(gw) != 4) continue;
      uint32_t dst_be = 0, gw_be = 0;
      std::memcpy(&dst_be, nl_addr_get_binary_addr(dst), 4);
      std::memcpy(&gw_be, nl_addr_get_binary_addr(gw), 4);
      routes.push_back(RouteSpec{Ipv4Cidr{Ipv4{ntohl(dst_be)}, static_cast<int>(nl_addr_get_prefixlen(dst))},
                                 Ipv4{ntohl(gw_be)}});
    }
    return routes;
  }

  Status delete_route(const Ipv4Cidr& destination) override {
    std::lock_guard lock(node_mu_);
    nl::Route route(rtnl_route_alloc());
    rtnl_route_set_family(route.get(), AF_INET);
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(route.get(), kPodRouteProtocol);
    rtnl_route_set_scope(route.get(), RT_SCOPE_NOWHERE);  // "any scope" for deletion
    nl::Addr dst = nl::make_addr(destination.address, destination.prefix_len);
    rtnl_route_set_dst(route.get(), dst.get());
    int rc = rtnl_route_delete(node_sock_.get(), route.get(), 0);
    if (rc < 0 && !nl::is_not_found(rc)) return nl::nl_error("node: delete route " + destination.str(), rc);
    return ok_status();
  }

  Status set_sysctl(const std::string& key, const std::string& value) override {
    return run_in_netns(node_netns_path_, [&]() -> Status {
      const std::string path = "/proc/sys/" + key;
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        return errno == ENOENT ? not_found("sysctl " + key + ": not available") : errno_error("open " + path, errno);
      }
      const ssize_t n = ::write(fd, value.data(), value.size());
      const int err = errno;
      ::close(fd);
      if (n != static_cast<ssize_t>(value.size())) return errno_error("write " + path, err);
      return ok_status();
    });
  }

  Status ensure_pod_interface(const PodInterfaceSpec& spec) override {
    NetnsFd pod_ns(spec.netns_path);
    if (pod_ns.get() < 0) return errno_error("pod netns " + spec.netns_path, errno);
    NA_ASSIGN_OR_RETURN(bool host_end_ok, host_end_attached(spec));
    if (host_end_ok) {
      NA_ASSIGN_OR_RETURN(bool pod_end_ok,
                          run_in_netns_for<bool>(spec.netns_path, [&] { return pod_side_complete(spec); }));
      if (pod_end_ok) {
        // Adopted: keep the link (and the pod's connections); just make sure of the route.
        return run_in_netns(spec.netns_path, [&] { return configure_pod_side(spec); });
      }
    }
    // Nothing, or a half-made pair: start from scratch.
    if (host_end_ok) NA_RETURN_IF_ERROR(delete_link(spec.host_ifname));
    Status created = create_veth(spec, pod_ns.get());
    if (!created.ok() && created.error().code == ErrorCode::kAlreadyExists) {
      // A leftover host end that is not on the bridge, or a pod end of another pair: clear both.
      NA_RETURN_IF_ERROR(delete_link(spec.host_ifname));
      NA_RETURN_IF_ERROR(run_in_netns(spec.netns_path, [&] { return delete_pod_side(spec); }));
      created = create_veth(spec, pod_ns.get());
    }
    NA_RETURN_IF_ERROR(created);
    Status configured = run_in_netns(spec.netns_path, [&] { return configure_pod_side(spec); });
    if (!configured.ok()) {
      delete_link(spec.host_ifname).ignore_error();  // never leave a half-made pair behind
      return configured;
    }
    return ok_status();
  }

  Status delete_link(const std::string& name) override {
    std::lock_guard lock(node_mu_);
    nl::Link link(rtnl_link_alloc());
    rtnl_link_set_name(link.get(), name.c_str());
    int rc = rtnl_link_delete(node_sock_.get(), link.get());
    if (rc < 0 && !nl::is_not_found(rc)) return nl::nl_error("delete link " + name, rc);
    return ok_status();
  }

  Result<std::vector<std::string>> bridge_ports(const std::string& bridge) override {
    std::lock_guard lock(node_mu_);
    nl_cache* raw = nullptr;
    if (int rc = rtnl_link_alloc_cache(node_sock_.get(), AF_UNSPEC, &raw); rc < 0) {
      return nl::nl_error("list links", rc);
    }
    nl::Cache cache(raw);
    const int bridge_index = rtnl_link_name2i(cache.get(), bridge.c_str());
    std::vector<std::string> ports;
    if (bridge_index == 0) return ports;
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
      auto* link = reinterpret_cast<rtnl_link*>(obj);
      if (rtnl_link_get_master(link) == bridge_index) ports.emplace_back(rtnl_link_get_name(link));
    }
    return ports;
  }

 private:
  // The host end exists, is up and is a port of the bridge.
  Result<bool> host_end_attached(const PodInterfaceSpec& spec) {
    std::lock_guard lock(node_mu_);
    auto host = nl::get_link(node_sock_.get(), spec.host_ifname);
    if (!host.ok()) return host.error().code == ErrorCode::kNotFound ? Result<bool>(false) : host.error();
    NA_ASSIGN_OR_RETURN(nl::Link bridge, nl::get_link(node_sock_.get(), spec.bridge));
    return (rtnl_link_get_flags(host->get()) & IFF_UP) != 0 &&
           rtnl_link_get_master(host->get()) == rtnl_link_get_ifindex(bridge.get());
  }

  // One RTM_NEWLINK: the host end on the bridge and up, its peer created directly inside the
  // pod's namespace under its final name.
  Status create_veth(const PodInterfaceSpec& spec, int pod_ns_fd) {
    std::lock_guard lock(node_mu_);
    const std::string what = "veth " + spec.host_ifname;
    auto bridge = nl::get_link(node_sock_.get(), spec.bridge);
    if (!bridge.ok()) return bridge.error().wrap(what);
    nl::Link veth(rtnl_link_veth_alloc());
    if (!veth) return internal(what + ": cannot allocate");
    rtnl_link_set_name(veth.get(), spec.host_ifname.c_str());
    rtnl_link_set_mtu(veth.get(), static_cast<unsigned>(spec.mtu));
    rtnl_link_set_master(veth.get(), rtnl_link_get_ifindex(bridge->get()));
    rtnl_link_set_flags(veth.get(), IFF_UP);
    nl::Link peer(rtnl_link_veth_get_peer(veth.get()));  // a new reference
    rtnl_link_set_name(peer.get(), spec.pod_ifname.c_str());
    rtnl_link_set_mtu(peer.get(), static_cast<unsigned>(spec.mtu));
    rtnl_link_set_ns_fd(peer.get(), pod_ns_fd);
    // No IFF_UP on the peer here: the kernel opens it before the pair is linked (ENOTCONN);
    // configure_pod_side() brings it up.
    if (int rc = rtnl_link_add(node_sock_.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0) {
      return nl::nl_error(what + ": create (peer " + spec.pod_ifname + " in " + spec.netns_path + ")", rc);
    }
    return set_hairpin(spec.host_ifname);
  }

  // Hairpin mode on the bridge port, as kubelet's hairpin-veth / CNI's hairpinMode: a pod that
  // reaches a Service whose endpoint is itself gets its packets back out of the port they came in.
  Status set_hairpin(const std::string& port) {
    const std::string what = "bridge port " + port + ": hairpin mode";
    NA_ASSIGN_OR_RETURN(nl::Link current, nl::get_link(node_sock_.get(), port));
    // Both sides of the change in the AF_BRIDGE family: libnl refuses to change the family.
    nl::Link port_link(rtnl_link_alloc());
    rtnl_link_set_ifindex(port_link.get(), rtnl_link_get_ifindex(current.get()));
    rtnl_link_set_family(port_link.get(), AF_BRIDGE);
    nl::Link change(rtnl_link_alloc());
    rtnl_link_set_ifindex(change.get(), rtnl_link_get_ifindex(current.get()));
    rtnl_link_set_family(change.get(), AF_BRIDGE);
    if (int rc = rtnl_link_bridge_set_flags(change.get(), RTNL_BRIDGE_HAIRPIN_MODE); rc < 0) return nl::nl_error(what, rc);
    if (int rc = rtnl_link_change(node_sock_.get(), port_link.get(), change.get(), 0); rc < 0) return nl::nl_error(what, rc);
    return ok_status();
  }

  const std::string node_netns_path_;
  std::mutex node_mu_;  // libnl sockets are not thread-safe
  nl::Socket node_sock_;
};

}  // namespace

Result<std::unique_ptr<NetlinkOps>> make_libnl_ops(const std::string& node_netns_path) {
  NA_ASSIGN_OR_RETURN(nl::Socket sock, run_in_netns_for<nl::Socket>(node_netns_path, [] {
                        return nl::open_route_socket();
                      }));
  return std::unique_ptr<NetlinkOps>(new LibnlOps(node_netns_path, std::move(sock)));
}

}  // namespace nodeagent::network
