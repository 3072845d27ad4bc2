#include "agent/nodeapi/streaming/streaming_endpoints.h"

#include <thread>
#include <variant>

#include <fmt/format.h>

#include "agent/nodeapi/streaming/port_forward.h"
#include "agent/nodeapi/streaming/remote_command.h"
#include "agent/nodeapi/streaming/spdy_session.h"
#include "agent/nodeapi/streaming/stream_handshake.h"
#include "agent/nodeapi/streaming/streaming_paths.h"
#include "util/log.h"

namespace nodeagent::nodeapi::streaming {
namespace {

auto logger() { return log::get("streaming"); }

int http_status_of(const Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kInvalid: return 400;
    default: return 500;
  }
}

bool is_websocket(const StreamRequest& req) {
  std::string up = req.header("upgrade");
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::tolower(c); });
  return up == "websocket";
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t sp = s.find(' ', start);
    out.push_back(s.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  return out;
}

}  // namespace

struct StreamingEndpoints::Resolved {
  StreamTarget target;
  StreamOptions options;
  std::string container_id;  // exec, attach, run
  std::string netns;         // portForward
  std::vector<std::string> command;
  std::string protocol;      // after the handshake
};

std::variant<StreamingEndpoints::Resolved, StreamReply> StreamingEndpoints::resolve(const StreamRequest& req) {
  auto target = parse_stream_path(req.path);
  if (!target) return error_reply(404, "404 page not found\n");
  bool run = target->endpoint == Endpoint::kRun;
  if (run ? req.method != "POST" : (req.method != "GET" && req.method != "POST"))
    return error_reply(405, "405: Method Not Allowed");
  Resolved r;
  r.target = *target;
  if (target->endpoint == Endpoint::kExec || target->endpoint == Endpoint::kAttach) {
    auto opts = parse_stream_options(req);
    if (!opts.ok()) return error_reply(400, opts.error().message);
    r.options = *opts;
  }
  if (target->endpoint == Endpoint::kExec) {
    r.command = req.params("command");
    if (r.command.empty()) return error_reply(400, "you must specify a command (the command parameter)");
  }
  if (run) r.command = split_spaces(req.param("cmd"));
  if (target->endpoint == Endpoint::kPortForward) {
    auto netns = backend_.pod_netns(target->ns, target->pod, target->uid);
    if (!netns.ok()) return error_reply(http_status_of(netns.error()), netns.error().message);
    r.netns = *netns;
  } else {
    auto id = backend_.container_id(target->ns, target->pod, target->uid, target->container);
    if (!id.ok()) return error_reply(http_status_of(id.error()), id.error().message);
    r.container_id = *id;
  }
  return r;
}

StreamReply StreamingEndpoints::accept(const StreamRequest& req) {
  auto resolved = resolve(req);
  if (auto* refusal = std::get_if<StreamReply>(&resolved)) return *refusal;
  const auto& r = std::get<Resolved>(resolved);
  if (r.target.endpoint == Endpoint::kRun) return error_reply(400, "/run is not an upgrade endpoint");
  if (is_websocket(req))
    return error_reply(400, "unable to upgrade: this node speaks SPDY/3.1 only (the API server translates WebSocket)");
  bool pf = r.target.endpoint == Endpoint::kPortForward;
  return spdy_handshake(req, pf ? port_forward_protocols() : remote_command_protocols()).reply;
}

void StreamingEndpoints::serve(const StreamRequest& req, ByteStream& io) {
  auto resolved = resolve(req);
  if (!std::holds_alternative<Resolved>(resolved)) return;
  auto& r = std::get<Resolved>(resolved);
  bool pf = r.target.endpoint == Endpoint::kPortForward;
  auto hs = spdy_handshake(req, pf ? port_forward_protocols() : remote_command_protocols());
  if (!hs.reply.upgrade()) return;
  r.protocol = hs.protocol;
  if (pf) serve_port_forward(r, io);
  else serve_remote_command(r, io);
}

void StreamingEndpoints::serve_remote_command(const Resolved& r, ByteStream& io) {
  bool attach = r.target.endpoint == Endpoint::kAttach;
  SpdySession* session_ptr = nullptr;
  RemoteCommandStreams streams(r.protocol, r.options, [&] { return session_ptr->done(); });
  SpdySession session(io, [&](const std::shared_ptr<SpdyStream>& s) { return streams.add(s); });
  session_ptr = &session;
  std::thread reader([&] { session.serve(); });
  const std::string what = fmt::format("{} {}/{} container {}", attach ? "attach" : "exec", r.target.ns, r.target.pod,
                                       r.target.container);
  if (!streams.wait_ready(options_.stream_creation_timeout)) {
    logger()->warn("{}: timed out waiting for client to create streams", what);
    session.shutdown(std::chrono::milliseconds(0));
    reader.join();
    return;
  }
  ExecOutcome outcome;
  if (attach) {
    Status st = backend_.containers().attach_container(r.container_id, streams);
    if (!st.ok()) outcome.error = st.error().message;
  } else {
    auto rc = backend_.containers().exec_interactive(r.container_id, r.command, r.options.tty, streams);
    if (rc.ok()) outcome.exit_code = *rc;
    else outcome.error = rc.error().message;
  }
  if (!outcome.error.empty()) logger()->info("{}: {}", what, outcome.error);
  streams.finish(outcome, attach);
  session.shutdown();
  reader.join();
}

void StreamingEndpoints::serve_port_forward(const Resolved& r, ByteStream& io) {
  std::string describe = fmt::format("pod {}/{}, uid {}", r.target.ns, r.target.pod, r.target.uid);
  PortForwardStreams forwards(r.netns, describe, options_.stream_creation_timeout);
  SpdySession session(io, [&](const std::shared_ptr<SpdyStream>& s) { return forwards.add(s); });
  std::thread reader([&] { session.serve(); });
  forwards.run(session);
  reader.join();
  session.shutdown(std::chrono::milliseconds(0));
}

StreamReply StreamingEndpoints::run(const StreamRequest& req) {
  auto resolved = resolve(req);
  if (auto* refusal = std::get_if<StreamReply>(&resolved)) return *refusal;
  const auto& r = std::get<Resolved>(resolved);
  if (r.target.endpoint != Endpoint::kRun) return error_reply(404, "404 page not found\n");
  auto result = backend_.containers().exec_sync(r.container_id, r.command, std::chrono::milliseconds(0));
  if (!result.ok()) return error_reply(500, result.error().message);
  StreamReply reply;
  reply.status = 200;
  reply.body = result->stdout_data + result->stderr_data;
  reply.headers.emplace_back("Content-Type", "application/json");
  return reply;
}

}  // namespace nodeagent::nodeapi::streaming
