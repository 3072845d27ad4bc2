#include "probes/engine/probe_types.h"

#include <algorithm>

#include <fmt/format.h>

namespace nodeagent::probes {

const char* kind_name(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kLiveness: return "liveness";
    case ProbeKind::kReadiness: return "readiness";
    case ProbeKind::kStartup: return "startup";
  }
  return "?";
}

const char* kind_title(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kLiveness: return "Liveness";
    case ProbeKind::kReadiness: return "Readiness";
    case ProbeKind::kStartup: return "Startup";
  }
  return "?";
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess: return "Success";
    case Outcome::kFailure: return "Failure";
    case Outcome::kUnknown: return "Unknown";
  }
  return "?";
}

Result<int> resolve_container_port(const kube::IntOrString& port, const kube::Container& container) {
  int value = port.int_value;
  if (port.is_string) {
    auto p = std::find_if(container.ports.begin(), container.ports.end(),
                          [&](const kube::ContainerPort& cp) { return cp.name == port.str_value; });
    if (p == container.ports.end()) return invalid(fmt::format("port \"{}\" not found", port.str_value));
    value = p->container_port;
  }
  if (value <= 0 || value >= 65536) return invalid(fmt::format("invalid port number: {}", value));
  return value;
}

std::string describe_handler(const kube::ProbeHandler& h, const kube::Container&) {
  if (h.exec) {
    std::string cmd;
    for (const auto& a : h.exec->command) cmd += (cmd.empty() ? "" : " ") + a;
    return "exec [" + cmd + "]";
  }
  if (h.http_get) {
    std::string scheme = h.http_get->scheme == "HTTPS" ? "https" : "http";
    return fmt::format("http-get {}://{}:{}{}", scheme, h.http_get->host, h.http_get->port.to_string(), h.http_get->path);
  }
  if (h.tcp_socket) return fmt::format("tcp-socket {}:{}", h.tcp_socket->host, h.tcp_socket->port.to_string());
  if (h.grpc) return fmt::format("grpc <pod>:{} {}", h.grpc->port, h.grpc->service.value_or(""));
  return "(no handler)";
}

Result<ProbeTarget> resolve_target(const kube::Probe& probe, const kube::Container& container, const std::string& pod_ip) {
  const auto& h = probe.handler;
  ProbeTarget t;
  if (h.exec) {
    t.type = ProbeTarget::Type::kExec;
    t.command = h.exec->command;
    if (t.command.empty()) return invalid("exec.command: must not be empty");
    return t;
  }
  if (h.http_get) {
    t.type = ProbeTarget::Type::kHttpGet;
    NA_ASSIGN_OR_RETURN(t.port, resolve_container_port(h.http_get->port, container));
    t.host = h.http_get->host.empty() ? pod_ip : h.http_get->host;
    t.scheme = h.http_get->scheme;
    t.path = h.http_get->path.empty() ? "/" : h.http_get->path;
    if (t.path.front() != '/') t.path.insert(t.path.begin(), '/');
    t.headers = h.http_get->http_headers;
    return t;
  }
  if (h.tcp_socket) {
    t.type = ProbeTarget::Type::kTcpSocket;
    NA_ASSIGN_OR_RETURN(t.port, resolve_container_port(h.tcp_socket->port, container));
    t.host = h.tcp_socket->host.empty() ? pod_ip : h.tcp_socket->host;
    return t;
  }
  if (h.grpc) {
    t.type = ProbeTarget::Type::kGrpc;
    t.port = h.grpc->port;
    if (t.port <= 0 || t.port >= 65536) return invalid(fmt::format("grpc.port: invalid port number: {}", t.port));
    t.host = pod_ip;
    t.grpc_service = h.grpc->service;
    return t;
  }
  return invalid("must have exactly one handler (exec, httpGet, tcpSocket, grpc)");
}

}  // namespace nodeagent::probes
