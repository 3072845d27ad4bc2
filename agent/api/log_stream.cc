#include "agent/api/log_stream.h"

#include <unistd.h>

#include <thread>

#include "agent/api/follow_policy.h"

namespace nodeagent::api {

Status stream_container_log(AgentBackend& backend, const LogStreamRequest& req, const runtime::logs::LogSink& sink,
                            const std::function<bool()>& caught_up, const std::function<bool()>& cancelled) {
  auto location = backend.log_location(req.pod, req.container, req.previous);
  if (!location.ok()) return location.error();
  const std::string path = location->path;
  const auto& options = req.options;
  // The container we follow is done once it stopped running or a newer attempt took over.
  FollowPolicy policy(cancelled,
                      [&] {
                        if (req.previous || !location->running) return false;
                        auto now = backend.log_location(req.pod, req.container, false);
                        return now.ok() && now->running && now->path == path;
                      },
                      std::max(options.poll_interval * 5, std::chrono::milliseconds(100)));
  auto keep_following = [&] { return caught_up() && policy.keep_following(); };
  // A container that has not written yet has no file: a follow waits for it (or its end).
  while (options.follow && ::access(path.c_str(), F_OK) != 0) {
    if (!keep_following()) return ok_status();
    std::this_thread::sleep_for(options.poll_interval);
  }
  Status st = runtime::logs::read_logs(path, options, sink, keep_following);
  if (!st.ok() && st.error().code == ErrorCode::kNotFound)
    return not_found("no logs for pod \"" + req.pod + "\"" +
                     (req.container.empty() ? "" : " container \"" + req.container + "\"") + " yet: " + st.error().message);
  return st;
}

}  // namespace nodeagent::api
