#include "agent/nodeapi/streaming/streaming_paths.h"

#include <vector>

namespace nodeagent::nodeapi::streaming {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::optional<StreamTarget> parse_stream_path(const std::string& path) {
  auto seg = segments(path);
  if (seg.empty()) return std::nullopt;
  StreamTarget t;
  if (seg[0] == "portForward") {
    if (seg.size() != 3 && seg.size() != 4) return std::nullopt;
    t.endpoint = Endpoint::kPortForward;
    t.ns = seg[1];
    t.pod = seg[2];
    if (seg.size() == 4) t.uid = seg[3];
    return t;
  }
  if (seg[0] == "exec") t.endpoint = Endpoint::kExec;
  else if (seg[0] == "attach") t.endpoint = Endpoint::kAttach;
  else if (seg[0] == "run") t.endpoint = Endpoint::kRun;
  else return std::nullopt;
  if (seg.size() != 4 && seg.size() != 5) return std::nullopt;
  t.ns = seg[1];
  t.pod = seg[2];
  if (seg.size() == 5) t.uid = seg[3];
  t.container = seg.back();
  return t;
}

Result<StreamOptions> parse_stream_options(const StreamRequest& req) {
  StreamOptions o;
  o.tty = req.param("tty") == "1";
  o.stdin = req.param("input") == "1";
  o.stdout = req.param("output") == "1";
  o.stderr = req.param("error") == "1";
  if (o.tty && o.stderr) o.stderr = false;
  if (!o.stdin && !o.stdout && !o.stderr) return invalid("you must specify at least 1 of stdin, stdout, stderr");
  return o;
}

}  // namespace nodeagent::nodeapi::streaming
