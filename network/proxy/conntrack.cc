// stale_udp_flows follows kube-proxy's deleteUDPEndpointConnections: endpoints that were in use
// and are not any more, and Services that went from no endpoint to some (their clients' flows
// were pinned to the REJECT path).
#include "network/proxy/conntrack.h"

#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netinet/in.h>

#include <algorithm>

namespace nodeagent::network::proxy {
namespace {

bool in_use(const EndpointInfo& ep) { return ep.ready || (ep.serving && ep.terminating); }

std::vector<uint32_t> service_ips(const ServicePortInfo& svc) {
  std::vector<uint32_t> ips{svc.cluster_ip};
  ips.insert(ips.end(), svc.external_ips.begin(), svc.external_ips.end());
  ips.insert(ips.end(), svc.load_balancer_ips.begin(), svc.load_balancer_ips.end());
  return ips;
}

}  // namespace

std::vector<StaleUdpFlow> stale_udp_flows(const ProxyState& before, const ProxyState& after) {
  static const std::vector<EndpointInfo> kNone;
  auto eps_of = [](const ProxyState& s, const ServicePortName& n) -> const std::vector<EndpointInfo>& {
    auto it = s.endpoints.find(n);
    return it == s.endpoints.end() ? kNone : it->second;
  };
  std::vector<StaleUdpFlow> out;
  for (const auto& [name, svc] : before.services) {
    if (svc.protocol != Protocol::kUdp) continue;
    auto now = after.services.find(name);
    const auto& new_eps = now == after.services.end() ? kNone : eps_of(after, name);
    for (const auto& ep : eps_of(before, name)) {
      if (!in_use(ep)) continue;
      bool still = std::any_of(new_eps.begin(), new_eps.end(), [&](const EndpointInfo& e) {
        return in_use(e) && e.ip == ep.ip && e.port == ep.port;
      });
      if (!still) out.push_back(StaleUdpFlow{service_ips(svc), svc.port, svc.node_port, ep.ip, ep.port});
    }
  }
  for (const auto& [name, svc] : after.services) {
    if (svc.protocol != Protocol::kUdp) continue;
    const auto& new_eps = eps_of(after, name);
    const bool has_now = std::any_of(new_eps.begin(), new_eps.end(), in_use);
    const auto& old_eps = eps_of(before, name);
    const bool had = before.services.count(name) && std::any_of(old_eps.begin(), old_eps.end(), in_use);
    if (has_now && !had) out.push_back(StaleUdpFlow{service_ips(svc), svc.port, svc.node_port, 0, 0});
  }
  return out;
}

namespace {

class NetfilterConntrack : public Conntrack {
 public:
  Result<size_t> delete_flows(const std::vector<StaleUdpFlow>& flows) override {
    if (flows.empty()) return size_t{0};
    nfct_handle* dump = nfct_open(CONNTRACK, 0);
    if (!dump) return errno_error("conntrack: nfct_open", errno);
    struct Ctx {
      const std::vector<StaleUdpFlow>* flows;
      std::vector<nf_conntrack*> victims;
    } ctx{&flows, {}};
    nfct_callback_register(
        dump, NFCT_T_ALL,
        [](enum nf_conntrack_msg_type, nf_conntrack* ct, void* data) -> int {
          auto* c = static_cast<Ctx*>(data);
          if (nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) != IPPROTO_UDP) return NFCT_CB_CONTINUE;
          const uint32_t dst = ntohl(nfct_get_attr_u32(ct, ATTR_ORIG_IPV4_DST));
          const uint16_t dport = ntohs(nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST));
          const uint32_t rsrc = ntohl(nfct_get_attr_u32(ct, ATTR_REPL_IPV4_SRC));
          const uint16_t rsport = ntohs(nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC));
          for (const auto& f : *c->flows) {
            const bool to_service =
                (dport == f.service_port && std::find(f.service_ips.begin(), f.service_ips.end(), dst) != f.service_ips.end()) ||
                (f.node_port && dport == f.node_port);
            const bool from_endpoint = f.endpoint_ip == 0 || (rsrc == f.endpoint_ip && rsport == f.endpoint_port);
            if (to_service && from_endpoint) {
              c->victims.push_back(nfct_clone(ct));
              break;
            }
          }
          return NFCT_CB_CONTINUE;
        },
        &ctx);
    uint32_t family = AF_INET;
    int rc = nfct_query(dump, NFCT_Q_DUMP, &family);
    int dump_errno = errno;
    nfct_close(dump);
    if (rc < 0) {
      for (auto* ct : ctx.victims) nfct_destroy(ct);
      return errno_error("conntrack: dump", dump_errno);
    }
    size_t deleted = 0;
    if (!ctx.victims.empty()) {
      nfct_handle* del = nfct_open(CONNTRACK, 0);
      if (!del) return errno_error("conntrack: nfct_open", errno);
      for (auto* ct : ctx.victims) {
        if (nfct_query(del, NFCT_Q_DESTROY, ct) == 0) ++deleted;  // ENOENT: already gone
        nfct_destroy(ct);
      }
      nfct_close(del);
    }
    return deleted;
  }
};

}  // namespace

std::unique_ptr<Conntrack> make_netfilter_conntrack() { return std::make_unique<NetfilterConntrack>(); }

}  // namespace nodeagent::network::proxy
