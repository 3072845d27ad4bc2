// services_table: rows and fixed-width text for `nodectl services` (see services_table.h).
#include "network/proxy/services_table.h"

#include <algorithm>
#include <set>

namespace nodeagent::network::proxy {

std::vector<ServiceRow> services_table(const std::map<ObjectName, ServiceInfo>& services, const ProxyState& state) {
  std::vector<ServiceRow> rows;
  for (const auto& [name, svc] : services) {
    ServiceRow row;
    row.ns = name.ns;
    row.name = name.name;
    row.type = service_type_name(svc.type);
    row.cluster_ip = svc.ports.empty() ? "None" : iptables::format_ipv4(svc.ports.front().cluster_ip);
    std::set<std::string> ext;
    std::set<std::pair<uint32_t, uint16_t>> ready, all;
    for (const auto& p : svc.ports) {
      for (uint32_t ip : p.external_ips) ext.insert(iptables::format_ipv4(ip));
      for (uint32_t ip : p.load_balancer_ips) ext.insert(iptables::format_ipv4(ip));
      if (!row.ports.empty()) row.ports += ",";
      row.ports += std::to_string(p.port) + (p.node_port ? ":" + std::to_string(p.node_port) : "") + "/" +
                   (p.protocol == Protocol::kUdp ? "UDP" : p.protocol == Protocol::kSctp ? "SCTP" : "TCP");
      auto it = state.endpoints.find(p.name);
      if (it == state.endpoints.end()) continue;
      for (const auto& ep : it->second) {
        all.insert({ep.ip, ep.port});
        if (ep.ready) ready.insert({ep.ip, ep.port});
      }
    }
    for (const auto& ip : ext) row.external_ips += (row.external_ips.empty() ? "" : ",") + ip;
    if (row.external_ips.empty()) row.external_ips = "<none>";
    if (row.ports.empty()) row.ports = "<none>";
    row.ready = ready.size();
    row.total = all.size();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string format_services_table(const std::vector<ServiceRow>& rows) {
  std::vector<std::vector<std::string>> cells{{"NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "ENDPOINTS"}};
  for (const auto& r : rows) {
    cells.push_back({r.ns, r.name, r.type, r.cluster_ip, r.external_ips, r.ports,
                     std::to_string(r.ready) + "/" + std::to_string(r.total)});
  }
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace nodeagent::network::proxy
