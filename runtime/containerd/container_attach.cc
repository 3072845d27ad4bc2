// attach_container (kubectl attach): the running container's output as it comes. The shim hands
// a container's stdout/stderr to nodeagent-logger only (binary:// logging), so attach follows
// the CRI log file the logger writes — from its current end, each stream on its own — until the
// container exits or the client goes away. Lines reach the client when they are complete (the
// log records lines). Containers are created without a stdin FIFO, so client input is not
// delivered (ProcessIO::has_stdin is ignored).
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "runtime/containerd/container_service.h"
#include "runtime/logs/log_reader.h"

namespace nodeagent::runtime::ctd {

Status ContainerdContainerService::attach_container(const std::string& id, ProcessIO& io) {
  NA_ASSIGN_OR_RETURN(std::string log_path, log_path_of(id));
  if (log_path.empty()) return failed_precondition(fmt::format("container {}: its output is not logged, nothing to attach to", id));
  NA_ASSIGN_OR_RETURN(ContainerState state, container_status(id));
  if (state.state != ContainerStateKind::kRunning)
    return failed_precondition(fmt::format("container {}: cannot attach to a container that is not running", id));

  std::atomic<bool> stop{false};
  // Asked every time a follow has caught up (each poll interval): look at containerd about
  // once a second, at the client every time.
  auto keep = [&, last = std::chrono::steady_clock::now()]() mutable {
    if (stop || io.closed()) return false;
    auto now = std::chrono::steady_clock::now();
    if (now - last >= std::chrono::seconds(1)) {
      last = now;
      auto st = container_status(id);
      if (!st.ok() || st->state != ContainerStateKind::kRunning) {
        stop = true;
        return false;
      }
    }
    return true;
  };
  auto follow = [&](logs::Stream stream, bool to_stderr) {
    logs::ReadOptions opts;
    opts.tail_lines = 0;  // from now on
    opts.follow = true;
    opts.stream = stream;
    auto sink = [&](std::string_view chunk) {
      bool ok = to_stderr ? io.write_stderr(chunk) : io.write_stdout(chunk);
      if (!ok) stop = true;
      return ok && !stop;
    };
    auto keep_one = keep;  // each thread its own clock
    logs::read_logs(log_path, opts, sink, keep_one).ignore_error();
  };
  std::thread err_thread;
  if (io.has_stderr()) err_thread = std::thread([&] { follow(logs::Stream::kStderr, true); });
  if (io.has_stdout()) follow(logs::Stream::kStdout, false);
  else while (keep()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  if (err_thread.joinable()) err_thread.join();
  io.interrupt();
  return ok_status();
}

}  // namespace nodeagent::runtime::ctd
