// The pieces of kubelet's streaming protocol that are pure: the upgrade handshake and its
// refusals, the URLs and options, the v4 error-stream Status, and the resize stream.
#include <catch2/catch.hpp>

#include "agent/nodeapi/streaming/exec_status.h"
#include "agent/nodeapi/streaming/stream_handshake.h"
#include "agent/nodeapi/streaming/streaming_paths.h"
#include "agent/nodeapi/streaming/terminal_size.h"

using namespace nodeagent::nodeapi::streaming;

namespace {

StreamRequest spdy_request(std::string protocols) {
  StreamRequest r;
  r.method = "POST";
  r.path = "/exec/default/web/c";
  r.headers = {{"connection", "Upgrade"}, {"upgrade", "SPDY/3.1"}};
  if (!protocols.empty()) r.headers["x-stream-protocol-version"] = protocols;
  return r;
}

std::string header_of(const StreamReply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("handshake: the client's first protocol the server speaks wins", "[streaming]") {
  // Several headers arrive joined with ", " (the HTTP server's merging).
  auto h = spdy_handshake(spdy_request("v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io"), remote_command_protocols());
  REQUIRE(h.reply.upgrade());
  CHECK(h.protocol == "v4.channel.k8s.io");
  CHECK(header_of(h.reply, "Upgrade") == "SPDY/3.1");
  CHECK(header_of(h.reply, "Connection") == "Upgrade");
  CHECK(header_of(h.reply, "X-Stream-Protocol-Version") == "v4.channel.k8s.io");

  auto old = spdy_handshake(spdy_request("channel.k8s.io,v2.channel.k8s.io"), remote_command_protocols());
  CHECK(old.protocol == "channel.k8s.io");
  CHECK(spdy_handshake(spdy_request("portforward.k8s.io"), port_forward_protocols()).protocol == "portforward.k8s.io");
}

TEST_CASE("handshake refusals carry upstream's status codes and words", "[streaming]") {
  auto missing = spdy_handshake(spdy_request(""), remote_command_protocols());
  CHECK(missing.reply.status == 400);
  CHECK(missing.reply.body.find("header X-Stream-Protocol-Version does not exist") != std::string::npos);

  auto none = spdy_handshake(spdy_request("v5.channel.k8s.io"), remote_command_protocols());
  CHECK(none.reply.status == 403);
  CHECK(none.reply.body.find("unable to negotiate protocol") != std::string::npos);
  int accepted = 0;
  for (const auto& [k, v] : none.reply.headers) accepted += k == "X-Accepted-Stream-Protocol-Versions";
  CHECK(accepted == 4);

  auto no_upgrade = spdy_request("v4.channel.k8s.io");
  no_upgrade.headers["upgrade"] = "websocket";
  CHECK(spdy_handshake(no_upgrade, remote_command_protocols()).reply.status == 400);
}

TEST_CASE("streaming URLs with and without the pod UID", "[streaming]") {
  auto e = parse_stream_path("/exec/ns1/web/app");
  REQUIRE(e);
  CHECK(e->endpoint == Endpoint::kExec);
  CHECK((e->ns == "ns1" && e->pod == "web" && e->uid.empty() && e->container == "app"));
  auto a = parse_stream_path("/attach/ns1/web/1234-5678/app");
  REQUIRE(a);
  CHECK(a->endpoint == Endpoint::kAttach);
  CHECK((a->uid == "1234-5678" && a->container == "app"));
  auto p = parse_stream_path("/portForward/ns1/web");
  REQUIRE(p);
  CHECK(p->endpoint == Endpoint::kPortForward);
  CHECK(p->container.empty());
  CHECK(parse_stream_path("/portForward/ns1/web/uid")->uid == "uid");
  CHECK(parse_stream_path("/run/a/b/c")->endpoint == Endpoint::kRun);
  CHECK_FALSE(parse_stream_path("/exec/ns1/web"));
  CHECK_FALSE(parse_stream_path("/exec/a/b/c/d/e"));
  CHECK_FALSE(parse_stream_path("/portForward/ns1"));
  CHECK_FALSE(parse_stream_path("/pods"));
}

TEST_CASE("exec options: tty drops stderr, none at all is refused", "[streaming]") {
  StreamRequest r;
  r.query = {{"tty", "1"}, {"error", "1"}, {"output", "1"}, {"input", "1"}};
  auto o = parse_stream_options(r);
  REQUIRE(o.ok());
  CHECK((o->tty && o->stdin && o->stdout && !o->stderr));
  StreamRequest none;
  none.query = {{"tty", "1"}, {"error", "1"}};
  auto bad = parse_stream_options(none);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "you must specify at least 1 of stdin, stdout, stderr");
}

TEST_CASE("the v4 error stream: Success, NonZeroExitCode with the ExitCode cause, InternalError", "[streaming]") {
  CHECK(error_stream_payload("v4.channel.k8s.io", {0, ""}, false) == R"({"status":"Success"})");
  CHECK(error_stream_payload("v4.channel.k8s.io", {3, ""}, false) ==
        R"({"status":"Failure","message":"command terminated with non-zero exit code: exit status 3",)"
        R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
  CHECK(error_stream_payload("v4.channel.k8s.io", {std::nullopt, "no such container"}, true) ==
        R"({"status":"Failure","message":"Internal error occurred: error attaching to container: no such container",)"
        R"("reason":"InternalError","code":500})");
  // Before v4: only a failure's message, nothing on success.
  CHECK(error_stream_payload("v3.channel.k8s.io", {0, ""}, false).empty());
  CHECK(error_stream_payload("v2.channel.k8s.io", {2, ""}, false) ==
        "command terminated with non-zero exit code: exit status 2");
}

TEST_CASE("resize events are decoded however the stream cuts them", "[streaming]") {
  TerminalSizeDecoder d;
  CHECK(d.feed(R"({"Width":80,)").empty());
  auto one = d.feed(R"("Height":24}{"width":100,"height":30})");
  REQUIRE(one.size() == 2);
  CHECK((one[0].width == 80 && one[0].height == 24));
  CHECK((one[1].width == 100 && one[1].height == 30));
  CHECK(d.feed("{not json}").empty());
  auto after = d.feed(R"({"Width":1,"Height":2})");
  REQUIRE(after.size() == 1);
  CHECK(after[0].height == 2);
}
