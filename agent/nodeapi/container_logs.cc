#include "agent/nodeapi/container_logs.h"

#include "agent/api/log_stream.h"
#include "util/rfc3339.h"

namespace nodeagent::nodeapi {

namespace {

constexpr size_t kChunkBytes = 32 * 1024;

bool parse_int(const std::string& text, int64_t& out) {
  try {
    size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

bool parse_bool(const std::string& text, bool present) {
  if (!present) return false;
  return text.empty() || text == "true" || text == "1" || text == "True" || text == "TRUE";
}

void fail(ResponseStream& out, int status, const std::string& message) {
  out.start(status, "text/plain; charset=utf-8");
  out.write(message);
}

}  // namespace

Route container_logs_route(api::AgentBackend& backend, std::chrono::milliseconds poll_interval) {
  StreamingHandler handler = [&backend, poll_interval](const HttpRequest& req, const User&, ResponseStream& out) {
    // /containerLogs/{ns}/{pod}/{container}
    std::vector<std::string> parts;
    for (size_t start = std::string("/containerLogs/").size(); start <= req.path.size();) {
      size_t slash = req.path.find('/', start);
      parts.push_back(req.path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (req.method != "GET") return fail(out, 405, "405: Method Not Allowed");
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty())
      return fail(out, 400, "Bad Request: expected /containerLogs/{podNamespace}/{podID}/{containerName}");
    if (parts[2].empty()) return fail(out, 400, "Missing container name.");

    api::LogStreamRequest lr;
    lr.pod = parts[0] + "/" + parts[1];
    lr.container = parts[2];
    bool present = false;
    auto v = req.param("follow", &present);
    lr.options.follow = parse_bool(v, present);
    v = req.param("previous", &present);
    lr.previous = parse_bool(v, present);
    v = req.param("timestamps", &present);
    lr.options.timestamps = parse_bool(v, present);
    lr.options.poll_interval = poll_interval;
    int64_t n = 0;
    v = req.param("tailLines", &present);
    if (present) {
      if (!parse_int(v, n) || n < 0) return fail(out, 422, "tailLines: Invalid value: \"" + v + "\": must be greater than or equal to 0");
      lr.options.tail_lines = n;
    }
    v = req.param("sinceSeconds", &present);
    if (present) {
      if (!parse_int(v, n) || n < 1) return fail(out, 422, "sinceSeconds: Invalid value: \"" + v + "\": must be greater than 0");
      lr.options.since = std::chrono::system_clock::now() - std::chrono::seconds(n);
    }
    v = req.param("sinceTime", &present);
    if (present) {
      if (req.query.count("sinceSeconds")) return fail(out, 422, "sinceTime: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
      auto t = parse_rfc3339(v);
      if (!t.ok()) return fail(out, 400, "sinceTime: " + t.error().message);
      lr.options.since = *t;
    }
    int64_t limit = -1;
    v = req.param("limitBytes", &present);
    if (present) {
      if (!parse_int(v, limit) || limit < 1) return fail(out, 422, "limitBytes: Invalid value: \"" + v + "\": must be greater than 0");
    }

    // Batched into chunks; a batch goes out when full, when the reader caught up, and at the end.
    std::string batch;
    int64_t sent = 0;
    bool stop = false;
    auto flush = [&] {
      if (stop) return false;
      if (batch.empty()) return !out.cancelled();
      if (!out.started()) out.start(200, "text/plain");
      bool ok = out.write(batch);
      batch.clear();
      if (!ok) stop = true;
      return ok;
    };
    auto sink = [&](std::string_view line) {
      if (limit >= 0) {
        int64_t room = limit - sent;
        if (static_cast<int64_t>(line.size()) >= room) {
          batch.append(line.substr(0, static_cast<size_t>(room)));
          sent = limit;
          flush();
          stop = true;
          return false;
        }
        sent += static_cast<int64_t>(line.size());
      }
      batch.append(line);
      return batch.size() < kChunkBytes || flush();
    };
    Status st = api::stream_container_log(backend, lr, sink, flush, [&] { return stop || out.cancelled(); });
    if (!st.ok() && !out.started()) {
      int status = st.error().code == ErrorCode::kNotFound ? 404 : st.error().code == ErrorCode::kInvalid ? 400 : 500;
      return fail(out, status, st.error().message);
    }
    if (!stop) flush();
    if (!out.started()) out.start(200, "text/plain");
  };
  return Route{"/containerLogs/", true, handler};
}

}  // namespace nodeagent::nodeapi
