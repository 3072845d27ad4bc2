// exec_sync / exec_stream over Tasks.Exec (see container_service.h). One exec:
//   1. make the stdout/stderr FIFOs and open their read ends (before the shim opens them);
//   2. a reader thread pumps them to the caller's callback;
//   3. Tasks.Exec with the container's process spec and new argv, Tasks.Start;
//   4. Tasks.Wait until exit or the timeout; on timeout SIGKILL the exec and wait again;
//   5. let the reader drain what is still buffered (bounded), then Tasks.DeleteProcess.
#include <atomic>
#include <csignal>
#include <future>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "runtime/containerd/container_service.h"
#include "runtime/containerd/output_fifos.h"
#include "runtime/oci/spec_builder.h"

namespace nodeagent::runtime::ctd {

std::string new_exec_id() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return fmt::format("exec-{}-{}-{:08x}", ::getpid(), counter++, rd());
}

void delete_exec_process(Connection& connection, const std::string& id, const std::string& exec_id) {
  api::tasks::DeleteProcessRequest req;
  req.set_container_id(id);
  req.set_exec_id(exec_id);
  api::tasks::DeleteResponse resp;
  auto ctx = connection.context();
  connection.tasks().DeleteProcess(ctx.get(), req, &resp);  // best effort: the task may be gone
}

Result<ContainerdContainerService::ExecOutcome> ContainerdContainerService::run_exec(
    const std::string& id, const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
    const OutputFn& on_output) {
  if (argv.empty()) return invalid(fmt::format("container {}: exec: argv must not be empty", id));
  NA_ASSIGN_OR_RETURN(Container container, get_container(id));
  auto spec = nlohmann::json::parse(container.spec().value(), nullptr, false);
  if (spec.is_discarded()) return internal(fmt::format("container {}: exec: stored spec is not JSON", id));

  std::string exec_id = new_exec_id();
  NA_ASSIGN_OR_RETURN(OutputFifos fifos, OutputFifos::create(options_.fifo_dir, id + "-" + exec_id));
  CancelFd cancel;
  std::promise<void> drained;
  auto drained_future = drained.get_future();
  std::thread reader([&] {
    fifos.pump(on_output, cancel.fd());
    drained.set_value();
  });
  // Stops the reader on every path out of this function.
  struct ReaderGuard {
    std::thread& t;
    CancelFd& c;
    ~ReaderGuard() {
      c.fire();
      if (t.joinable()) t.join();
    }
  } reader_guard{reader, cancel};

  api::tasks::ExecProcessRequest ereq;
  ereq.set_container_id(id);
  ereq.set_exec_id(exec_id);
  ereq.set_stdout(fifos.stdout_path());
  ereq.set_stderr(fifos.stderr_path());
  ereq.mutable_spec()->set_type_url(kProcessTypeUrl);
  ereq.mutable_spec()->set_value(oci::exec_process_spec(spec, argv).dump());
  google::protobuf::Empty empty;
  auto ectx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->tasks().Exec(ectx.get(), ereq, &empty), fmt::format("container {}: exec", id)));

  auto delete_process = [&] { delete_exec_process(*connection_, id, exec_id); };

  api::tasks::StartRequest sreq;
  sreq.set_container_id(id);
  sreq.set_exec_id(exec_id);
  api::tasks::StartResponse sresp;
  auto sctx = connection_->context();
  grpc::Status started = connection_->tasks().Start(sctx.get(), sreq, &sresp);
  if (!started.ok()) {
    delete_process();
    return from_grpc(started, fmt::format("container {}: start exec {}", id, argv[0]));
  }

  ExecOutcome outcome;
  auto exited = wait(id, exec_id, timeout);
  if (!exited.ok() && exited.error().code == ErrorCode::kDeadlineExceeded) {
    outcome.timed_out = true;
    kill(id, exec_id, SIGKILL, false).ignore_error();  // it may have exited just now
    exited = wait(id, exec_id, options_.kill_timeout);
  }
  if (!exited.ok()) {
    delete_process();
    return exited.error();
  }
  outcome.exit_code = static_cast<int32_t>(*exited);

  // Output still in the pipes arrives after the exit; children of the exec that keep the pipe
  // open would hold us forever, hence the bound.
  drained_future.wait_for(options_.exec_drain_timeout);
  cancel.fire();
  reader.join();
  delete_process();
  return outcome;
}

Result<ExecResult> ContainerdContainerService::exec_sync(const std::string& id, const std::vector<std::string>& argv,
                                                         std::chrono::milliseconds timeout) {
  ExecResult result;
  const size_t limit = options_.exec_output_limit;
  auto collect = [&result, limit](bool is_stderr, const std::string& chunk) {
    std::string& out = is_stderr ? result.stderr_data : result.stdout_data;
    if (out.size() < limit) out.append(chunk, 0, std::min(chunk.size(), limit - out.size()));
  };
  NA_ASSIGN_OR_RETURN(ExecOutcome outcome, run_exec(id, argv, timeout, collect));
  result.exit_code = outcome.exit_code;
  result.timed_out = outcome.timed_out;
  return result;
}

Result<int32_t> ContainerdContainerService::exec_stream(const std::string& id, const std::vector<std::string>& argv,
                                                        const OutputFn& on_output) {
  NA_ASSIGN_OR_RETURN(ExecOutcome outcome, run_exec(id, argv, std::chrono::milliseconds(0), on_output));
  return outcome.exit_code;
}

}  // namespace nodeagent::runtime::ctd
