#include "probes/hooks/hook_runner.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "kube/go_quote.h"
#include "probes/engine/probe_types.h"
#include "util/log.h"
#include "util/version.h"

namespace nodeagent::probes::hooks {
namespace {

// format.Pod upstream: name_namespace(uid).
std::string pod_desc(const kube::Pod& pod) {
  return fmt::format("{}_{}({})", pod.metadata.name, pod.metadata.namespace_, pod.metadata.uid);
}

// Go's %v of a []string: [a b c].
std::string go_list(const std::vector<std::string>& v) { return "[" + fmt::format("{}", fmt::join(v, " ")) + "]"; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

bool has_header(const std::vector<kube::HTTPHeader>& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return lower(h.name) == lower(name); });
}

// "kube-lifecycle/0.1" from version() "0.1.0": kubelet sends its major.minor.
std::string user_agent() {
  std::string v = version();
  auto second_dot = v.find('.', v.find('.') + 1);
  return "kube-lifecycle/" + v.substr(0, second_dot);
}

void default_sleep(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

}  // namespace

Result<HttpGetRequest> http_get_request(const HookTarget& target, const kube::HTTPGetAction& action) {
  std::string host = action.host.empty() ? target.pod_ip : action.host;
  if (host.empty()) return unavailable("failed to find networking container: the pod has no IP");
  NA_ASSIGN_OR_RETURN(int port, resolve_container_port(action.port, *target.container));
  std::string scheme = action.scheme.empty() ? "http" : lower(action.scheme);
  const std::string host_port = host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                                                    : fmt::format("{}:{}", host, port);
  std::string path = action.path;
  if (!path.empty() && path[0] != '/' && path[0] != '?') path = "/" + path;
  HttpGetRequest request;
  request.netns_path = target.netns_path;
  request.url = scheme + "://" + host_port + path;
  for (const auto& h : action.http_headers) request.headers.push_back(h.name + ": " + h.value);
  if (!has_header(action.http_headers, "User-Agent")) request.headers.push_back("User-Agent: " + user_agent());
  if (!has_header(action.http_headers, "Accept")) request.headers.push_back("Accept: */*");
  return request;
}

HookRunner::HookRunner(runtime::ContainerService& containers, HookHttp& http, SleepFn sleep)
    : containers_(containers), http_(http), sleep_(sleep ? std::move(sleep) : SleepFn(default_sleep)) {}

Status HookRunner::run(const HookTarget& target, const kube::LifecycleHandler& handler,
                       std::optional<std::chrono::milliseconds> deadline, const EventFn& event) const {
  if (handler.exec) return run_exec(target, *handler.exec, deadline);
  if (handler.http_get) return run_http(target, *handler.http_get, deadline, event);
  if (handler.sleep) {
    // Fails only when the pod is deleted meanwhile (kubelet: its pod worker's context).
    auto d = std::chrono::milliseconds(std::max<int64_t>(handler.sleep->seconds, 0) * 1000);
    if (deadline) d = std::min(d, *deadline);
    if (sleep_unless_cancelled(target, d)) return ok_status();
    return unavailable(fmt::format("Sleep lifecycle hook ({}) for Container \"{}\" in Pod \"{}\" failed - error: "
                                   "container terminated before sleep hook finished",
                                   handler.sleep->seconds, target.container->name, pod_desc(*target.pod)));
  }
  // tcpSocket is accepted by the API for compatibility but is not a handler kubelet runs.
  return invalid(fmt::format("Cannot run handler: invalid handler: {} has no exec, httpGet or sleep action",
                             handler.tcp_socket ? "tcpSocket" : "the lifecycle handler"));
}

Status HookRunner::run_exec(const HookTarget& target, const kube::ExecAction& exec,
                            std::optional<std::chrono::milliseconds> deadline) const {
  auto failed = [&](const std::string& error, const std::string& output) {
    return unavailable(fmt::format("Exec lifecycle hook ({}) for Container \"{}\" in Pod \"{}\" failed - error: {}, message: {}",
                                   go_list(exec.command), target.container->name, pod_desc(*target.pod), error,
                                   kube::go_quote(output)));
  };
  auto result = exec_unless_cancelled(target, exec.command, deadline.value_or(std::chrono::milliseconds(0)));
  if (!result.ok()) return failed(result.error().message, "");
  if (result->timed_out && deadline) {
    log::get("hooks")->info("pod={}/{} container={} hook not completed within {} ms", target.pod->metadata.namespace_,
                            target.pod->metadata.name, target.container->name, deadline->count());
    return ok_status();
  }
  if (result->exit_code != 0) {
    // The CRI client's CodeExitError: "command '<argv joined>' exited with <code>: <stderr>".
    auto error = fmt::format("command '{}' exited with {}: {}", fmt::join(exec.command, " "), result->exit_code,
                             result->stderr_data);
    return failed(error, result->stdout_data + result->stderr_data);
  }
  return ok_status();
}

Result<runtime::ExecResult> HookRunner::exec_unless_cancelled(const HookTarget& target,
                                                              const std::vector<std::string>& argv,
                                                              std::chrono::milliseconds timeout) const {
  if (!target.cancelled) return containers_.exec_sync(target.container_id, argv, timeout);
  // The exec runs on a thread of its own that may outlive this call: a cancelled hook is left
  // behind, and its process dies with the container, which the pod's deletion stops next.
  struct Call {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<runtime::ExecResult>> result;
  };
  auto call = std::make_shared<Call>();
  std::thread([call, &containers = containers_, id = target.container_id, argv, timeout] {
    auto r = containers.exec_sync(id, argv, timeout);
    std::lock_guard lock(call->mu);
    call->result = std::move(r);
    call->cv.notify_all();
  }).detach();
  std::unique_lock lock(call->mu);
  while (!call->cv.wait_for(lock, kCancelPoll, [&] { return call->result.has_value(); })) {
    if (target.cancelled()) return unavailable("context canceled");
  }
  return std::move(*call->result);
}

bool HookRunner::sleep_unless_cancelled(const HookTarget& target, std::chrono::milliseconds d) const {
  if (!target.cancelled) {
    sleep_(d);
    return true;
  }
  while (d.count() > 0) {
    if (target.cancelled()) return false;
    const auto step = std::min(d, kCancelPoll);
    sleep_(step);
    d -= step;
  }
  return true;
}

Status HookRunner::run_http(const HookTarget& target, const kube::HTTPGetAction& action,
                            std::optional<std::chrono::milliseconds> deadline, const EventFn& event) const {
  auto failed = [&](const std::string& error) {
    return unavailable(fmt::format("HTTP lifecycle hook ({}) for Container \"{}\" in Pod \"{}\" failed - error: {}",
                                   action.path, target.container->name, pod_desc(*target.pod), error));
  };
  auto request = http_get_request(target, action);
  if (!request.ok()) return failed(request.error().message);
  request->timeout = deadline.value_or(std::chrono::milliseconds(0));
  auto got = http_.get(*request);
  if (!got.ok()) {
    if (got.error().code == ErrorCode::kDeadlineExceeded && deadline) return ok_status();  // cut off, as above
    return failed(got.error().message);
  }
  if (got->fell_back_to_http && event) {
    auto host = request->url.substr(request->url.find("://") + 3);
    host = host.substr(0, host.find_first_of("/?"));
    event("Warning", "LifecycleHTTPFallback",
          fmt::format("request to HTTPS lifecycle hook {} got HTTP response, retry with HTTP succeeded", host));
  }
  return ok_status();
}

}  // namespace nodeagent::probes::hooks
