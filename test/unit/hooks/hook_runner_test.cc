// The hook runner's handlers against a fake runtime and a fake HTTP edge: kubelet's messages,
// the deadline (preStop's grace) reaching exec and HTTP, sleeps cut to it, named ports, the
// pod IP as the default host, the HTTPS fallback event.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "probes/hooks/hook_runner.h"
#include "test/fakes/fake_runtime.h"

using namespace nodeagent;
using namespace nodeagent::probes::hooks;
using namespace std::chrono_literals;

namespace {

class FakeHookHttp final : public HookHttp {
 public:
  std::vector<HttpGetRequest> requests;
  Result<HttpGetResult> answer = HttpGetResult{200, false};
  Result<HttpGetResult> get(const HttpGetRequest& request) override {
    requests.push_back(request);
    return answer;
  }
};

struct Harness {
  fakes::FakeContainerService containers;
  FakeHookHttp http;
  std::vector<std::chrono::milliseconds> slept;
  std::vector<std::string> events;
  HookRunner runner{containers, http, [this](std::chrono::milliseconds d) { slept.push_back(d); }};
  kube::Pod pod;
  kube::Container container;
  HookTarget target;

  Harness() {
    pod.metadata.name = "web";
    pod.metadata.namespace_ = "default";
    pod.metadata.uid = "uid-1";
    container.name = "app";
    container.ports.push_back({"http", 0, 8080, "TCP", ""});
    target = HookTarget{&pod, &container, "app-0", "10.244.0.5", "/run/netns/pod", {}};
  }
  Status run(const kube::LifecycleHandler& h, std::optional<std::chrono::milliseconds> deadline = std::nullopt) {
    return runner.run(target, h, deadline, [this](const std::string& type, const std::string& reason, const std::string& msg) {
      events.push_back(type + " " + reason + " " + msg);
    });
  }
};

kube::LifecycleHandler exec(std::vector<std::string> argv) {
  kube::LifecycleHandler h;
  h.exec = kube::ExecAction{std::move(argv)};
  return h;
}

kube::LifecycleHandler http_get(kube::IntOrString port, std::string path = "/hook", std::string host = "") {
  kube::LifecycleHandler h;
  h.http_get = kube::HTTPGetAction{std::move(path), port, std::move(host), "HTTP", {}};
  return h;
}

}  // namespace

TEST_CASE("exec hooks run in the container; a non-zero exit is kubelet's error") {
  Harness h;
  h.containers.set_exec("app-0", {{{false, "out\n"}, {true, "boom\n"}}, 3, false});
  auto st = h.run(exec({"sh", "-c", "echo out; echo boom >&2; exit 3"}));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "Exec lifecycle hook ([sh -c echo out; echo boom >&2; exit 3]) for Container \"app\" in Pod "
        "\"web_default(uid-1)\" failed - error: command 'sh -c echo out; echo boom >&2; exit 3' exited with 3: boom\n"
        ", message: \"out\\nboom\\n\"");
  auto calls = h.containers.exec_calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].id == "app-0");
  CHECK(calls[0].timeout == 0ms);  // postStart: no deadline, as upstream

  h.containers.set_exec("app-0", {{}, 0, false});
  CHECK(h.run(exec({"true"})).ok());
}

TEST_CASE("exec hooks: the deadline is the exec's timeout, and being cut off is not an error") {
  Harness h;
  h.containers.set_exec("app-0", {{}, 137, true});
  CHECK(h.run(exec({"sleep", "100"}), 7000ms).ok());
  CHECK(h.containers.exec_calls().back().timeout == 7000ms);
}

TEST_CASE("exec hooks: a container that cannot exec fails the hook") {
  Harness h;  // no script: the fake answers NotFound
  auto st = h.run(exec({"true"}));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("Exec lifecycle hook ([true]) for Container \"app\"") == 0);
  CHECK(st.error().message.find("has no exec script") != std::string::npos);
}

TEST_CASE("httpGet hooks: the pod IP by default, named ports, headers as upstream") {
  Harness h;
  REQUIRE(h.run(http_get(kube::IntOrString::from_string("http"), "/hook?x=1")).ok());
  REQUIRE(h.http.requests.size() == 1);
  const auto& r = h.http.requests[0];
  CHECK(r.url == "http://10.244.0.5:8080/hook?x=1");
  CHECK(r.netns_path == "/run/netns/pod");
  CHECK(r.timeout == 0ms);
  CHECK(std::find(r.headers.begin(), r.headers.end(), "Accept: */*") != r.headers.end());
  CHECK(std::count_if(r.headers.begin(), r.headers.end(), [](const auto& s) { return s.rfind("User-Agent: kube-lifecycle/", 0) == 0; }) == 1);

  auto custom = http_get(kube::IntOrString::from_int(9000), "/", "127.0.0.1");
  custom.http_get->scheme = "HTTPS";
  custom.http_get->http_headers = {{"Host", "example.com"}, {"user-agent", "mine"}};
  REQUIRE(h.run(custom, 3000ms).ok());
  const auto& c = h.http.requests.back();
  CHECK(c.url == "https://127.0.0.1:9000/");
  CHECK(c.timeout == 3000ms);
  CHECK(c.headers == std::vector<std::string>{"Host: example.com", "user-agent: mine", "Accept: */*"});
}

TEST_CASE("httpGet hooks: failures carry kubelet's message; any status succeeds") {
  Harness h;
  auto st = h.run(http_get(kube::IntOrString::from_string("metrics")));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "HTTP lifecycle hook (/hook) for Container \"app\" in Pod \"web_default(uid-1)\" failed - error: port \"metrics\" not found");
  CHECK(h.http.requests.empty());

  h.target.pod_ip = "";
  st = h.run(http_get(kube::IntOrString::from_int(80)));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("failed to find networking container") != std::string::npos);
  h.target.pod_ip = "10.244.0.5";

  h.http.answer = Error{ErrorCode::kUnavailable, "Get \"http://10.244.0.5:80/hook\": connection refused"};
  st = h.run(http_get(kube::IntOrString::from_int(80)));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "HTTP lifecycle hook (/hook) for Container \"app\" in Pod \"web_default(uid-1)\" failed - error: Get "
        "\"http://10.244.0.5:80/hook\": connection refused");

  h.http.answer = Error{ErrorCode::kDeadlineExceeded, "timed out"};
  CHECK(h.run(http_get(kube::IntOrString::from_int(80)), 2000ms).ok());  // cut off by preStop's grace

  h.http.answer = HttpGetResult{500, false};
  CHECK(h.run(http_get(kube::IntOrString::from_int(80))).ok());  // kubelet looks at errors only
}

TEST_CASE("httpGet hooks: an HTTPS hook answered over HTTP is a warning event") {
  Harness h;
  h.http.answer = HttpGetResult{200, true};
  auto hook = http_get(kube::IntOrString::from_int(8443), "/x");
  hook.http_get->scheme = "HTTPS";
  REQUIRE(h.run(hook).ok());
  CHECK(h.events == std::vector<std::string>{"Warning LifecycleHTTPFallback request to HTTPS lifecycle hook "
                                             "10.244.0.5:8443 got HTTP response, retry with HTTP succeeded"});
}

TEST_CASE("sleep hooks sleep their seconds, at most the deadline") {
  Harness h;
  kube::LifecycleHandler s;
  s.sleep = kube::SleepAction{5};
  CHECK(h.run(s).ok());
  CHECK(h.run(s, 2000ms).ok());
  s.sleep->seconds = 0;
  CHECK(h.run(s).ok());
  CHECK(h.slept == std::vector<std::chrono::milliseconds>{5000ms, 2000ms, 0ms});
}

TEST_CASE("a tcpSocket lifecycle handler is not run: the hook fails, as kubelet's") {
  Harness h;
  kube::LifecycleHandler t;
  t.tcp_socket = kube::TCPSocketAction{kube::IntOrString::from_int(80), ""};
  auto st = h.run(t);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.rfind("Cannot run handler: invalid handler", 0) == 0);
}

namespace {

// An exec that does not return until released (a postStart `sleep 3600`).
class HangingContainers final : public fakes::FakeContainerService {
 public:
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  Result<runtime::ExecResult> exec_sync(const std::string&, const std::vector<std::string>&,
                                        std::chrono::milliseconds) override {
    ++calls;
    released.wait();
    return runtime::ExecResult{};
  }
};

}  // namespace

TEST_CASE("a hung postStart exec or sleep ends when its pod is being deleted, with kubelet's error") {
  // Static: the exec's thread is left behind by the cancelled hook and returns only on release.
  static HangingContainers containers;
  FakeHookHttp http;
  HookRunner runner{containers, http};
  kube::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  pod.metadata.uid = "uid-1";
  kube::Container container;
  container.name = "app";
  std::atomic<bool> deleting{false};
  HookTarget target{&pod, &container, "app-0", "", "", [&] { return deleting.load(); }};

  std::thread deleter([&] {
    std::this_thread::sleep_for(300ms);
    deleting = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto st = runner.run(target, exec({"sleep", "3600"}), std::nullopt, {});
  const auto took = std::chrono::steady_clock::now() - t0;
  deleter.join();
  CHECK(containers.calls == 1);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "Exec lifecycle hook ([sleep 3600]) for Container \"app\" in Pod \"web_default(uid-1)\" failed - error: "
        "context canceled, message: \"\"");
  CHECK(took >= 300ms);
  CHECK(took < 300ms + 3 * HookRunner::kCancelPoll);

  // A sleep hook likewise (it is already being deleted: ends at the first poll).
  kube::LifecycleHandler sleep;
  sleep.sleep = kube::SleepAction{3600};
  const auto t1 = std::chrono::steady_clock::now();
  st = runner.run(target, sleep, std::nullopt, {});
  CHECK(std::chrono::steady_clock::now() - t1 < 1s);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message ==
        "Sleep lifecycle hook (3600) for Container \"app\" in Pod \"web_default(uid-1)\" failed - error: "
        "container terminated before sleep hook finished");

  // Without a pod being deleted the exec is waited for to its end.
  target.cancelled = [] { return false; };
  auto done = std::async(std::launch::async, [&] { return runner.run(target, exec({"true"}), std::nullopt, {}); });
  CHECK(done.wait_for(500ms) == std::future_status::timeout);
  containers.release.set_value();
  CHECK(done.get().ok());
}
