// The streaming RPCs of nodeagent.v1.NodeAgent: Logs (tail and follow a CRI log file, with
// runtime/logs' reader) and Exec (command output as it comes, then the exit code).
#include <unistd.h>

#include <mutex>
#include <thread>

#include "agent/api/log_stream.h"
#include "agent/api/grpc_status.h"
#include "agent/api/service.h"
#include "util/log.h"
#include "runtime/logs/log_reader.h"

namespace nodeagent::api {
namespace {
constexpr size_t kChunkBytes = 32 * 1024;
}  // namespace

grpc::Status NodeAgentService::Logs(grpc::ServerContext* ctx, const v1::LogsRequest* req,
                                    grpc::ServerWriter<v1::LogChunk>* writer) {
  return guarded("Logs", [&] {
    if (req->pod().empty()) return to_grpc(invalid("pod: a name, namespace/name or UID is required"));
    api::LogStreamRequest lr;
    lr.pod = req->pod();
    lr.container = req->container();
    lr.previous = req->previous();
    lr.options.follow = req->follow();
    if (req->tail_lines() >= 0) lr.options.tail_lines = req->tail_lines();
    lr.options.timestamps = req->timestamps();
    lr.options.poll_interval = log_poll_interval_;

    // Lines are batched into messages of up to kChunkBytes; a batch goes out when full, when
    // the reader has caught up with the file, and at the end.
    std::string batch;
    bool client_gone = false;
    auto flush = [&] {
      if (batch.empty() || client_gone) return !client_gone;
      v1::LogChunk chunk;
      chunk.set_data(std::move(batch));
      batch.clear();
      client_gone = !writer->Write(chunk);
      return !client_gone;
    };
    auto sink = [&](std::string_view line) {
      batch.append(line);
      return batch.size() < kChunkBytes || flush();
    };
    Status st = stream_container_log(backend_, lr, sink, flush, [&] { return ctx->IsCancelled() || gate_.closed(); });
    flush();
    if (!st.ok()) return to_grpc(st.error());
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::Exec(grpc::ServerContext*, const v1::ExecRequest* req,
                                    grpc::ServerWriter<v1::ExecOutput>* writer) {
  return guarded("Exec", [&] {
    if (req->command().empty()) return to_grpc(invalid("command: at least one argument is required"));
    auto id = backend_.container_id(req->pod(), req->container());
    if (!id.ok()) return to_grpc(id.error());
    std::vector<std::string> argv(req->command().begin(), req->command().end());
    log::get("api")->info("exec pod={} container={} id={} argv0={}", req->pod(), req->container(), *id, argv[0]);

    v1::ExecOutput done;
    done.set_exited(true);
    if (req->timeout_seconds() > 0) {
      // The runtime enforces timeouts only for collected (non-streamed) execs.
      auto result = backend_.containers().exec_sync(*id, argv, std::chrono::seconds(req->timeout_seconds()));
      if (!result.ok()) return to_grpc(result.error());
      v1::ExecOutput out;
      out.set_stdout(result->stdout_data);
      out.set_stderr(result->stderr_data);
      if (!result->stdout_data.empty() || !result->stderr_data.empty()) writer->Write(out);
      if (result->timed_out) {
        return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            "command timed out after " + std::to_string(req->timeout_seconds()) + "s");
      }
      done.set_exit_code(result->exit_code);
      writer->Write(done);
      return grpc::Status::OK;
    }

    std::mutex write_mu;  // the runtime may call back from its own threads
    auto code = backend_.containers().exec_stream(*id, argv, [&](bool is_stderr, const std::string& chunk) {
      v1::ExecOutput out;
      if (is_stderr) {
        out.set_stderr(chunk);
      } else {
        out.set_stdout(chunk);
      }
      std::lock_guard lock(write_mu);
      writer->Write(out);
    });
    if (!code.ok()) return to_grpc(code.error());
    done.set_exit_code(*code);
    std::lock_guard lock(write_mu);
    writer->Write(done);
    return grpc::Status::OK;
  });
}

}  // namespace nodeagent::api
