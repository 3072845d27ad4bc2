// kubelet's streaming endpoints end to end, minus TLS: upstream's own client (client-go's SPDY
// executor and port forwarder, test/streaming/spdy-client) against StreamingEndpoints over
// loopback, running in busybox containers of a private containerd — exit codes, stdin, a TTY
// with its size, attach, and an HTTP request carried to a pod's httpd through port-forward.
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "agent/nodeapi/streaming/streaming_endpoints.h"
#include "test/integration/containerd/test_helpers.h"
#include "test/integration/streaming/upgrade_server.h"

using namespace nodeagent;
using namespace nodeagent::testing;

namespace {

// The reference client, built once per test process.
const std::string& client() {
  static std::string path = [] {
    auto r = run_command(std::string(NODEAGENT_SOURCE_DIR) + "/test/streaming/spdy-client/build.sh " + NODEAGENT_BINARY_DIR +
                         "/spdy-client 2>&1");
    REQUIRE(r.exit_code == 0);
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.substr(out.rfind('\n') + 1);
  }();
  return path;
}

std::string q(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string command_query(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += "&command=" + q(a);
  return out;
}

struct TestNetns {
  std::string name = fmt::format("natest-stream-{}", ::getpid());
  std::string path = "/run/netns/" + name;
  TestNetns() {
    (void)run_command("ip netns del " + name + " 2>/dev/null");
    REQUIRE(run_command("ip netns add " + name).exit_code == 0);
    REQUIRE(run_command("ip -n " + name + " link set lo up").exit_code == 0);
  }
  ~TestNetns() { (void)run_command("ip netns del " + name); }
};

// The pod "default/web" with containers by name, in one network namespace.
class TestBackend : public nodeapi::streaming::StreamingBackend {
 public:
  TestBackend(runtime::ContainerService& svc, std::string netns) : svc_(svc), netns_(std::move(netns)) {}
  std::map<std::string, std::string> containers_;  // name -> id
  Result<std::string> container_id(const std::string& ns, const std::string& pod, const std::string&,
                                   const std::string& container) override {
    if (ns != "default" || pod != "web") return not_found("pod does not exist");
    auto it = containers_.find(container);
    if (it == containers_.end()) return not_found(fmt::format("container not found (\"{}\")", container));
    return it->second;
  }
  Result<std::string> pod_netns(const std::string& ns, const std::string& pod, const std::string&) override {
    if (ns != "default" || pod != "web") return not_found("pod does not exist");
    return netns_;
  }
  runtime::ContainerService& containers() override { return svc_; }

 private:
  runtime::ContainerService& svc_;
  std::string netns_;
};

struct Pod {
  ContainerdNamespace ns;
  TestNetns netns;
  TempDir logs{"na-stream-logs"};
  std::unique_ptr<runtime::ctd::ContainerdContainerService> svc;
  std::unique_ptr<TestBackend> backend;
  std::unique_ptr<nodeapi::streaming::StreamingEndpoints> endpoints;
  std::unique_ptr<UpgradeServer> server;
  runtime::ImageInfo image;

  Pod() {
    image = ns.import_test_image();
    svc = make_service(ns, NODEAGENT_LOGGER);
    backend = std::make_unique<TestBackend>(*svc, netns.path);
    endpoints = std::make_unique<nodeapi::streaming::StreamingEndpoints>(*backend);
    server = std::make_unique<UpgradeServer>(*endpoints);
    add("app", {"/bin/sleep", "1000"});
  }
  ~Pod() {
    server->stop();
    // Before the log dir goes: a logger whose directory vanished holds up Tasks.Delete.
    for (const auto& [name, id] : backend->containers_) svc->remove_container(id).ignore_error();
  }

  void add(const std::string& name, std::vector<std::string> args) {
    auto config = busybox_config(ns, image, name, std::move(args));
    config.namespaces.network = netns.path;
    config.log_path = logs.file(name + ".log");
    REQUIRE(svc->create_container(config).ok());
    REQUIRE(svc->start_container(name).ok());
    backend->containers_[name] = name;
  }

  // Runs the client; stdout and stderr apart.
  struct Outcome {
    int exit_code;
    std::string out, err;
  };
  Outcome client_run(const std::string& args, const std::string& stdin_cmd = "") {
    TempDir tmp{"na-stream-client"};
    // Grouped: run_command appends 2>&1, which must not reach the client's own redirections.
    std::string cmd = "{ " + (stdin_cmd.empty() ? "" : stdin_cmd + " | ") + client() + " " + args + " >" + tmp.file("out") +
                      " 2>" + tmp.file("err") + "; }";
    auto r = run_command(cmd);
    UNSCOPED_INFO("client " << args << " exited " << r.exit_code);
    auto slurp = [](const std::string& p) {
      std::ifstream f(p);
      return std::string(std::istreambuf_iterator<char>(f), {});
    };
    Outcome o{r.exit_code, slurp(tmp.file("out")), slurp(tmp.file("err"))};
    UNSCOPED_INFO("client stderr: " << o.err.substr(0, 2000));
    UNSCOPED_INFO("client stdout size " << o.out.size() << ": " << o.out.substr(0, 300));
    return o;
  }
};

size_t fifo_count() {
  size_t n = 0;
  std::error_code ec;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(ContainerdFixture::instance().fifo_dir(), ec)) ++n;
  return n;
}

}  // namespace

TEST_CASE("exec: stdout and stderr apart, and the exit code reaches the client", "[streaming][integration]") {
  Pod pod;
  auto url = pod.server->url("/exec/default/web/app?output=1&error=1" +
                             command_query({"sh", "-c", "echo out; echo err >&2; exit 3"}));
  auto r = pod.client_run("exec '" + url + "'");
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");

  auto ok = pod.client_run("exec '" + pod.server->url("/exec/default/web/app?output=1&error=1" + command_query({"hostname"})) + "'");
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "app\n");
  CHECK(fifo_count() == 0);
}

TEST_CASE("exec -i: stdin reaches the process and its end is the process's EOF", "[streaming][integration]") {
  Pod pod;
  auto url = pod.server->url("/exec/default/web/app?input=1&output=1&error=1" + command_query({"sh", "-c", "cat; echo done"}));
  auto r = pod.client_run("exec -stdin '" + url + "'", "printf 'hello\\nworld\\n'");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "hello\nworld\ndone\n");
  // More than the 64 KiB windows and a pipe buffer, through and back.
  auto big = pod.client_run("exec -stdin '" + url + "'", "head -c 1000000 /dev/zero | tr '\\0' y");
  CHECK(big.exit_code == 0);
  CHECK(big.out.size() == 1000005);
  CHECK((big.out == std::string(1000000, 'y') + "done\n"));
  CHECK(fifo_count() == 0);
}

TEST_CASE("exec -t: a shell on a TTY of the client's size runs what is typed", "[streaming][integration]") {
  Pod pod;
  // kubectl exec -it: stdin on a TTY whose size comes on the resize stream at the start.
  auto shell_url = pod.server->url("/exec/default/web/app?tty=1&input=1&output=1" + command_query({"sh"}));
  // Then a resize a second later reaches the running shell's TTY.
  auto sized = pod.client_run("exec -tty -stdin -size 123x45,61x19 '" + shell_url + "'",
                              "(sleep 0.5; printf 'stty size\\n'; sleep 1.5; printf 'stty size\\n'; sleep 0.5; "
                              "printf 'exit\\n'; sleep 0.5)");
  CHECK(sized.exit_code == 0);
  INFO("tty output: " << sized.out);
  auto first = sized.out.find("45 123");
  CHECK(first != std::string::npos);
  CHECK(sized.out.find("19 61", first) != std::string::npos);

  auto typed = pod.client_run("exec -tty -stdin -size 80x24 '" + shell_url + "'",
                              "(printf 'echo typed-$((40+2))\\n'; sleep 1; printf 'exit 5\\n'; sleep 1)");
  CHECK(typed.exit_code == 5);
  CHECK(typed.out.find("typed-42") != std::string::npos);
  CHECK(fifo_count() == 0);
}

TEST_CASE("exec: a client that goes away takes its process with it", "[streaming][integration]") {
  Pod pod;
  auto sleeping = [&] {
    auto ps = pod.svc->exec_sync("app", {"ps"}, std::chrono::seconds(5));
    REQUIRE(ps.ok());
    return ps->stdout_data.find("sleep 77") != std::string::npos;
  };
  int client_exit = -1;
  std::thread client_thread([&] {  // no Catch macros on this thread
    client_exit = run_command(client() + " exec -timeout 3s '" +
                              pod.server->url("/exec/default/web/app?output=1&error=1" + command_query({"sleep", "77"})) + "'")
                      .exit_code;
  });
  bool seen = eventually(sleeping, std::chrono::seconds(3));
  client_thread.join();
  CHECK(seen);
  CHECK(client_exit == 124);
  // As CRI does when the stream's context ends: the exec is killed, not left running.
  CHECK(eventually([&] { return !sleeping(); }, std::chrono::seconds(10)));
  CHECK(eventually([] { return fifo_count() == 0; }, std::chrono::seconds(5)));
}

TEST_CASE("attach: the running container's output as it comes", "[streaming][integration]") {
  Pod pod;
  pod.add("ticker", {"sh", "-c", "i=0; while true; do echo tick $i; echo tock $i >&2; i=$((i+1)); sleep 0.2; done"});
  auto r = pod.client_run("exec -timeout 3s '" + pod.server->url("/attach/default/web/ticker?output=1&error=1") + "'");
  CHECK(r.exit_code == 124);  // attach lasts until the client leaves
  CHECK(r.out.find("tick ") != std::string::npos);
  CHECK(r.out.find("tock ") == std::string::npos);
  CHECK(r.err.find("tock ") != std::string::npos);
  // Only what came after the attach: not the first line the container wrote.
  CHECK(r.out.find("tick 0\n") == std::string::npos);
}

TEST_CASE("port-forward carries an HTTP request to the pod's httpd on its loopback", "[streaming][integration]") {
  Pod pod;
  pod.add("web", {"sh", "-c", "mkdir -p /tmp/www && echo hello-from-pod > /tmp/www/index.html && "
                   "head -c 3000000 /dev/zero | tr '\\0' z > /tmp/www/big && exec httpd -f -p 127.0.0.1:8080 -h /tmp/www"});
  // httpd is listening once a connection from inside the pod works.
  REQUIRE(eventually([&] {
    auto e = pod.svc->exec_sync("web", {"sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 127.0.0.1 8080"}, std::chrono::seconds(5));
    return e.ok() && e->stdout_data.find("200") != std::string::npos;
  }, std::chrono::seconds(10)));
  auto url = pod.server->url("/portForward/default/web");
  auto r = pod.client_run("portforward '" + url + "' 8080 /index.html");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("HTTP/1.", 0) == 0);
  CHECK(r.out.find(" 200 OK") != std::string::npos);
  CHECK(r.out.find("hello-from-pod") != std::string::npos);

  // 3 MB back through the data stream: far past the 64 KiB windows spdystream never updates.
  auto big = pod.client_run("portforward '" + url + "' 8080 /big");
  CHECK(big.exit_code == 0);
  auto body = big.out.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  CHECK(big.out.size() - body - 4 == 3000000);
  CHECK(big.out.find_first_not_of('z', body + 4) == std::string::npos);

  // Nothing listens on port 9: the error stream says why, the client's connection just ends.
  auto refused = pod.client_run("portforward '" + url + "' 9 /");
  CHECK(refused.out.empty());
  CHECK(refused.err.find("failed to connect to localhost:9") != std::string::npos);
}

TEST_CASE("refusals before the upgrade: unknown container, no stream asked for; /run", "[streaming][integration]") {
  Pod pod;
  auto missing = pod.client_run("exec '" + pod.server->url("/exec/default/web/nope?output=1" + command_query({"true"})) + "'");
  CHECK(missing.exit_code == 125);
  CHECK(missing.err.find("container not found") != std::string::npos);
  // /run: the command split on spaces, output in the body.
  nodeapi::streaming::StreamRequest run;
  run.method = "POST";
  run.path = "/run/default/web/app";
  run.query = {{"cmd", "echo run-works"}};
  auto ran = pod.endpoints->run(run);
  CHECK(ran.status == 200);
  CHECK(ran.body == "run-works\n");
  run.method = "GET";
  CHECK(pod.endpoints->run(run).status == 405);

  auto nostream = pod.client_run("exec -no-stderr '" + pod.server->url("/exec/default/web/app?tty=0" + command_query({"true"})) + "'");
  CHECK(nostream.exit_code == 125);
}
