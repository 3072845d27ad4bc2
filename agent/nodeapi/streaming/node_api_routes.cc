#include "agent/nodeapi/streaming/node_api_routes.h"

namespace nodeagent::nodeapi::streaming {
namespace {

HttpResponse to_response(const StreamReply& reply) {
  HttpResponse r;
  r.status = reply.status;
  r.body = reply.body;
  for (const auto& [k, v] : reply.headers) {
    if (k == "Content-Type") r.content_type = v;
    else r.headers.emplace_back(k, v);
  }
  return r;
}

UpgradeHandler upgrade_handler(StreamingEndpoints& endpoints) {
  UpgradeHandler h;
  h.accept = [&endpoints](const HttpRequest& req, const User&) {
    UpgradeDecision d;
    StreamReply reply = endpoints.accept(to_stream_request(req));
    if (reply.upgrade()) d.headers = reply.headers;
    else d.refusal = to_response(reply);
    return d;
  };
  h.serve = [&endpoints](const HttpRequest& req, const User&, ByteStream& io) {
    endpoints.serve(to_stream_request(req), io);
  };
  return h;
}

}  // namespace

StreamRequest to_stream_request(const HttpRequest& req) {
  StreamRequest r;
  r.method = req.method;
  r.path = req.path;
  r.query = req.query;
  r.headers = req.headers;
  return r;
}

void add_streaming_routes(Router& router, StreamingEndpoints& endpoints) {
  for (const char* prefix : {"/exec/", "/attach/", "/portForward/"}) {
    router.add(Route{prefix, true, upgrade_handler(endpoints)});
  }
  router.add(Route{"/run/", true, SimpleHandler([&endpoints](const HttpRequest& req, const User&) {
                     return to_response(endpoints.run(to_stream_request(req)));
                   })});
}

}  // namespace nodeagent::nodeapi::streaming
