// Lifecycle hooks (postStart, preStop) as kubelet's lifecycle/handlers.go runs them: a command
// in the container (exec), an HTTP GET to the pod (httpGet), or a pause (sleep). A hook runs
// synchronously on the pod worker that asked for it, as kubelet's do.
//
//   HookRunner runner(containers, http);
//   auto st = runner.run(target, *container.lifecycle->post_start, std::nullopt, on_event);
//   // st.error().message is kubelet's: "Exec lifecycle hook ([sh -c exit 3]) for Container ..."
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kube/types.h"
#include "runtime/runtime.h"
#include "util/result.h"

namespace nodeagent::probes::hooks {

// What a hook acts on.
struct HookTarget {
  const kube::Pod* pod = nullptr;
  const kube::Container* container = nullptr;
  std::string container_id;
  std::string pod_ip;      // the pod's first IP: an httpGet without host goes there; "" = none
  std::string netns_path;  // the pod's network namespace, where an httpGet connects from; "" = ours
  // True once the pod is being deleted: an exec or sleep hook still running then ends with an
  // error, as kubelet's postStart does when the pod worker's context is cancelled. Empty: never.
  std::function<bool()> cancelled;
};

struct HttpGetRequest {
  std::string netns_path;
  std::string url;                   // scheme://host:port/path?query
  std::vector<std::string> headers;  // "Name: value"
  std::chrono::milliseconds timeout{0};  // the whole request; 0 = none
};

struct HttpGetResult {
  long status = 0;                  // any status is a success for a hook, as upstream
  bool fell_back_to_http = false;   // an HTTPS hook whose server spoke HTTP, retried with HTTP
};

// The HTTP edge of httpGet hooks (http_get.h is the real one; tests use a fake).
class HookHttp {
 public:
  virtual ~HookHttp() = default;
  // GET from inside request.netns_path, TLS unverified, redirects followed only to the same host
  // (at most 10; one to another host ends the request with that response, kubelet's
  // RedirectChecker(false)). Errors: transport failures, as Go's client words them.
  virtual Result<HttpGetResult> get(const HttpGetRequest& request) = 0;
};

using EventFn = std::function<void(const std::string& type, const std::string& reason, const std::string& message)>;
using SleepFn = std::function<void(std::chrono::milliseconds)>;

// The Host header, User-Agent (kube-lifecycle/<version>) and Accept (*/*) of an httpGet hook, and
// its URL: NewRequestForHTTPGetAction upstream. Errors: the port cannot be resolved (`port "x"
// not found`, `invalid port number: 0`), or no host and no pod IP.
Result<HttpGetRequest> http_get_request(const HookTarget& target, const kube::HTTPGetAction& action);

class HookRunner {
 public:
  static constexpr std::chrono::milliseconds kCancelPoll{100};

  HookRunner(runtime::ContainerService& containers, HookHttp& http, SleepFn sleep = {});

  // Runs `handler` on `target`. `deadline`: what the hook may take at most (preStop: the grace
  // period); nullopt: as long as it takes (postStart, as upstream). A hook cut off by its
  // deadline is not an error (kubelet moves on and does not report it). An error's message is
  // kubelet's, naming the handler, the container and the pod. `target.cancelled` is polled
  // every kCancelPoll while an exec or sleep hook runs.
  Status run(const HookTarget& target, const kube::LifecycleHandler& handler,
             std::optional<std::chrono::milliseconds> deadline, const EventFn& event) const;

 private:
  Status run_exec(const HookTarget& target, const kube::ExecAction& exec, std::optional<std::chrono::milliseconds> deadline) const;
  // exec_sync, or "context canceled" as soon as target.cancelled() says so.
  Result<runtime::ExecResult> exec_unless_cancelled(const HookTarget& target, const std::vector<std::string>& argv,
                                                    std::chrono::milliseconds timeout) const;
  // Whether the pause ran to its end (false: cancelled first).
  bool sleep_unless_cancelled(const HookTarget& target, std::chrono::milliseconds d) const;
  Status run_http(const HookTarget& target, const kube::HTTPGetAction& action,
                  std::optional<std::chrono::milliseconds> deadline, const EventFn& event) const;

  runtime::ContainerService& containers_;
  HookHttp& http_;
  SleepFn sleep_;
};

}  // namespace nodeagent::probes::hooks
