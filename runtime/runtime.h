// The runtime interfaces the pod workers, the prober and nodectl use. runtime/containerd/
// implements them over containerd's gRPC API; test/fakes/ has in-memory fakes for unit tests.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"
#include "runtime/process_io.h"
#include "runtime/types.h"

namespace nodeagent::runtime {

class ImageService {
 public:
  virtual ~ImageService() = default;
  // NotFound when the image is not present locally.
  virtual Result<ImageInfo> image_status(const std::string& ref) = 0;
  virtual Result<ImageInfo> pull_image(const std::string& ref, const RegistryAuth& auth) = 0;
  virtual Result<std::vector<ImageInfo>> list_images() = 0;
  virtual Status remove_image(const std::string& ref) = 0;
  // Imports an OCI image-layout tar archive; `name` overrides or supplies the image name.
  virtual Result<std::vector<ImageInfo>> import_archive(const std::string& path, const std::string& name) = 0;
};

class ContainerService {
 public:
  virtual ~ContainerService() = default;
  // Creates the containerd container (OCI spec, rootfs snapshot) without starting it.
  virtual Status create_container(const ContainerConfig& config) = 0;
  // Creates and starts the task; returns its pid. stdout/stderr go to config.log_path.
  virtual Result<uint32_t> start_container(const std::string& id) = 0;
  // Sends `signal`, waits up to `grace` for exit, then SIGKILL. No error if already exited.
  virtual Status stop_container(const std::string& id, int signal, std::chrono::seconds grace) = 0;
  // Stops several containers together without a thread each: every one gets its signal at once,
  // they share one grace period, and whatever still runs at its end is SIGKILLed. Every container
  // is tried; the first error is returned.
  struct StopRequest {
    std::string id;
    int signal = 15;  // SIGTERM
  };
  virtual Status stop_containers(const std::vector<StopRequest>& requests, std::chrono::seconds grace) = 0;
  // Sends `signal` to the container's task and returns at once (SIGKILL goes to all of its
  // processes). No error if it is not running. The caller waits for the exit itself, e.g. by
  // checking again later: no thread waits for it.
  virtual Status signal_container(const std::string& id, int signal) = 0;
  // Deletes task, container and snapshot. No error if already gone.
  virtual Status remove_container(const std::string& id) = 0;
  // For an exited container whose task still exists: records the exit (code, time, OOM) on the
  // container and deletes the task. That ends its shim and closes its stdio, so the logger writes
  // the output's unterminated last line and exits, as containerd's CRI does on every exit. The
  // exit stays visible through container_status and list_containers. No error if there is no task.
  virtual Status release_exited(const std::string& id) = 0;
  virtual Result<ContainerState> container_status(const std::string& id) = 0;
  // Containers whose labels contain every pair of `selector`.
  virtual Result<std::vector<ContainerState>> list_containers(const Labels& selector) = 0;
  // Runs argv in the container and collects its output (probes, hooks).
  virtual Result<ExecResult> exec_sync(const std::string& id, const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout) = 0;
  // Streams the output of argv to the callbacks as it comes; returns the exit code.
  using OutputFn = std::function<void(bool is_stderr, const std::string& chunk)>;
  virtual Result<int32_t> exec_stream(const std::string& id, const std::vector<std::string>& argv,
                                      const OutputFn& on_output) = 0;
  // Runs argv in the container wired to `io` (kubectl exec -i/-t): stdin from the client until
  // it closes it, output to it, with a TTY (stdout only, resized as the client asks) when `tty`.
  // Returns the exit code; ends early only when the process does.
  virtual Result<int32_t> exec_interactive(const std::string& id, const std::vector<std::string>& argv, bool tty,
                                           ProcessIO& io) {
    (void)argv, (void)tty, (void)io;
    return Error{ErrorCode::kFailedPrecondition, "container " + id + ": interactive exec is not supported"};
  }
  // Streams the running container's output to `io` until it exits or the client goes away
  // (kubectl attach). Input reaches the container only when it was created with stdin open.
  virtual Status attach_container(const std::string& id, ProcessIO& io) {
    (void)io;
    return Error{ErrorCode::kFailedPrecondition, "container " + id + ": attach is not supported"};
  }
};

// The container event stream (task start/exit/oom). The subscriber is called on the stream's
// own thread; it must post work elsewhere and return quickly. Reconnects on its own.
class EventStream {
 public:
  virtual ~EventStream() = default;
  using Handler = std::function<void(const ContainerEvent&)>;
  virtual void start(Handler handler) = 0;
  virtual void stop() = 0;
};

}  // namespace nodeagent::runtime
