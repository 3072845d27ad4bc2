// exec_interactive (kubectl exec -i / -t) over Tasks.Exec, as containerd's CRI streams it:
//   1. FIFOs: stdin (when the client sends input), stdout, and stderr unless there is a TTY
//      (a terminal has one output); the output read ends and the stdin FIFO are opened before
//      the shim opens its ends;
//   2. Tasks.Exec (terminal = tty) and Start; then three pumps, each on a thread of its own:
//      output → client; client stdin → FIFO, and at the client's EOF CloseIO(stdin) so that
//      the process sees EOF; client resizes → ResizePty;
//   3. Tasks.Wait in slices: a client that went away gets the exec SIGKILLed (CRI does the
//      same when the stream's context ends);
//   4. drain the output (bounded), stop the pumps (ProcessIO::interrupt), DeleteProcess.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "runtime/containerd/container_service.h"
#include "runtime/containerd/output_fifos.h"
#include "runtime/oci/spec_builder.h"

namespace nodeagent::runtime::ctd {
namespace {

// The write end of the exec's stdin FIFO. O_RDWR opens without waiting for the shim (a FIFO
// opened write-only blocks until a reader comes); the shim sees EOF only through CloseIO.
class StdinFifo {
 public:
  static Result<StdinFifo> create(const std::string& path) {
    ::unlink(path.c_str());
    if (::mkfifo(path.c_str(), 0600) != 0) return errno_error("mkfifo " + path, errno);
    int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      ::unlink(path.c_str());
      return errno_error("open " + path, err);
    }
    return StdinFifo(path, fd);
  }
  StdinFifo(StdinFifo&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) { o.path_.clear(); }
  StdinFifo& operator=(StdinFifo&&) = delete;
  ~StdinFifo() {
    close_fd();
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // Waits for room (a process that does not read fills the pipe) unless `cancel_fd` fires.
  bool write_all(const char* data, size_t n, int cancel_fd) {
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        pollfd fds[2] = {{fd_, POLLOUT, 0}, {cancel_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return false;
        if (fds[1].revents != 0) return false;
        continue;
      }
      if (w <= 0) return false;
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  void close_fd() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  StdinFifo(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace

Result<int32_t> ContainerdContainerService::exec_interactive(const std::string& id, const std::vector<std::string>& argv,
                                                             bool tty, ProcessIO& io) {
  if (argv.empty()) return invalid(fmt::format("container {}: exec: argv must not be empty", id));
  NA_ASSIGN_OR_RETURN(Container container, get_container(id));
  auto spec = nlohmann::json::parse(container.spec().value(), nullptr, false);
  if (spec.is_discarded()) return internal(fmt::format("container {}: exec: stored spec is not JSON", id));

  const std::string exec_id = new_exec_id();
  const std::string base = id + "-" + exec_id;
  NA_ASSIGN_OR_RETURN(OutputFifos out, OutputFifos::create(options_.fifo_dir, base, !tty && io.has_stderr()));
  std::optional<StdinFifo> in;
  if (io.has_stdin()) {
    NA_ASSIGN_OR_RETURN(StdinFifo f, StdinFifo::create(options_.fifo_dir + "/" + base + ".stdin"));
    in.emplace(std::move(f));
  }

  api::tasks::ExecProcessRequest ereq;
  ereq.set_container_id(id);
  ereq.set_exec_id(exec_id);
  ereq.set_terminal(tty);
  if (in) ereq.set_stdin(in->path());
  ereq.set_stdout(out.stdout_path());
  ereq.set_stderr(out.stderr_path());
  nlohmann::json process = oci::exec_process_spec(spec, argv);
  process["terminal"] = tty;
  ereq.mutable_spec()->set_type_url(kProcessTypeUrl);
  ereq.mutable_spec()->set_value(process.dump());
  google::protobuf::Empty empty;
  auto ectx = connection_->context();
  NA_RETURN_IF_ERROR(check_grpc(connection_->tasks().Exec(ectx.get(), ereq, &empty), fmt::format("container {}: exec", id)));

  auto delete_process = [&] { delete_exec_process(*connection_, id, exec_id); };

  // Output first, so nothing the process writes at once is lost.
  CancelFd cancel;
  std::promise<void> drained;
  auto drained_future = drained.get_future();
  std::thread output([&] {
    out.pump([&](bool is_stderr, const std::string& chunk) {
      if (is_stderr) io.write_stderr(chunk);
      else if (io.has_stdout()) io.write_stdout(chunk);
    }, cancel.fd());
    drained.set_value();
  });
  std::thread input, resize;
  auto stop_threads = [&] {
    cancel.fire();
    io.interrupt();
    if (output.joinable()) output.join();
    if (input.joinable()) input.join();
    if (resize.joinable()) resize.join();
  };

  api::tasks::StartRequest sreq;
  sreq.set_container_id(id);
  sreq.set_exec_id(exec_id);
  api::tasks::StartResponse sresp;
  auto sctx = connection_->context();
  grpc::Status started = connection_->tasks().Start(sctx.get(), sreq, &sresp);
  if (!started.ok()) {
    stop_threads();
    delete_process();
    return from_grpc(started, fmt::format("container {}: start exec {}", id, argv[0]));
  }

  if (in) {
    input = std::thread([&] {
      char buf[16384];
      while (true) {
        size_t n = io.read_stdin(buf, sizeof buf);
        if (n == 0 || !in->write_all(buf, n, cancel.fd())) break;
      }
      // The client closed stdin: the process gets EOF once the shim closes its pipe.
      api::tasks::CloseIORequest creq;
      creq.set_container_id(id);
      creq.set_exec_id(exec_id);
      creq.set_stdin(true);
      google::protobuf::Empty e;
      auto cctx = connection_->context();
      connection_->tasks().CloseIO(cctx.get(), creq, &e);
      in->close_fd();
    });
  }
  if (tty) {
    resize = std::thread([&] {
      while (auto size = io.next_resize()) {
        api::tasks::ResizePtyRequest rreq;
        rreq.set_container_id(id);
        rreq.set_exec_id(exec_id);
        rreq.set_width(size->width);
        rreq.set_height(size->height);
        google::protobuf::Empty e;
        auto rctx = connection_->context();
        connection_->tasks().ResizePty(rctx.get(), rreq, &e);  // the process may be gone: ignored
      }
    });
  }

  Result<uint32_t> exited = internal("not waited");
  while (true) {
    exited = wait(id, exec_id, std::chrono::seconds(1));
    if (exited.ok() || exited.error().code != ErrorCode::kDeadlineExceeded) break;
    if (io.closed()) {
      kill(id, exec_id, SIGKILL, false).ignore_error();
      exited = wait(id, exec_id, options_.kill_timeout);
      break;
    }
  }
  if (exited.ok()) drained_future.wait_for(options_.exec_drain_timeout);
  stop_threads();
  delete_process();
  if (!exited.ok()) return exited.error();
  return static_cast<int32_t>(*exited);
}

}  // namespace nodeagent::runtime::ctd
