// ApiServer in-process over a FakeBackend, driven with the generated gRPC client: every RPC,
// error codes, the socket's mode and lifetime, log follow, and shutdown with a stream open.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "agent/api/socket_path.h"
#include "test/unit/api/server_fixture.h"

using namespace nodeagent;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::append_file;
using testing::cri;
using testing::ServerFixture;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

json parse(const v1::JsonDocument& doc) { return json::parse(doc.json()); }

std::vector<std::string> names(const json& list) {
  std::vector<std::string> out;
  for (const auto& p : list["items"]) out.push_back(p["metadata"]["name"]);
  return out;
}

}  // namespace

TEST_CASE("the socket is root-only, in a private directory, and removed on stop") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  REQUIRE(f.server->start().ok());  // idempotent
  CHECK(mode_of(f.socket_path) == 0600);
  CHECK(S_ISSOCK([&] { struct stat st {}; ::lstat(f.socket_path.c_str(), &st); return st.st_mode; }()));
  CHECK(mode_of(f.dir().file("run/nodeagent")) == 0700);
  CHECK(mode_of(f.dir().file("run")) == 0700);

  // A second server on the same path refuses to steal a live socket.
  api::ApiServerOptions other;
  other.socket_path = f.socket_path;
  api::ApiServer second(f.backend, other);
  auto st = second.start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kAlreadyExists);

  f.server->stop();
  f.server->stop();  // idempotent
  CHECK_FALSE(std::filesystem::exists(f.socket_path));
  // And it can start again.
  REQUIRE(f.server->start().ok());
  grpc::ClientContext ctx;
  v1::VersionResponse v;
  CHECK(f.stub()->Version(&ctx, {}, &v).ok());
}

TEST_CASE("a stale socket is replaced, a non-socket file is not") {
  ServerFixture f;
  std::filesystem::create_directories(std::filesystem::path(f.socket_path).parent_path());
  // A socket file nobody listens on, as a crashed agent leaves behind.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, f.socket_path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::close(fd);
  CHECK_FALSE(api::socket_answers(f.socket_path));
  REQUIRE(f.server->start().ok());
  CHECK(api::socket_answers(f.socket_path));
  f.server->stop();

  append_file(f.socket_path, "not a socket");
  auto st = f.server->start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kFailedPrecondition);
}

TEST_CASE("pods: list with namespace and selector filters, get by name, ns/name, uid") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();

  auto list = [&](const std::string& ns, const std::string& selector) {
    grpc::ClientContext ctx;
    v1::ListPodsRequest req;
    req.set_namespace_(ns);
    req.set_label_selector(selector);
    v1::JsonDocument doc;
    auto st = stub->ListPods(&ctx, req, &doc);
    REQUIRE(st.ok());
    return parse(doc);
  };
  json all = list("", "");
  CHECK(all["kind"] == "PodList");
  CHECK(names(all) == std::vector<std::string>{"web", "db", "dns"});
  CHECK(names(list("default", "")) == std::vector<std::string>{"web", "db"});
  CHECK(names(list("", "app in (dns,db)")) == std::vector<std::string>{"db", "dns"});
  CHECK(names(list("default", "app!=web")) == std::vector<std::string>{"db"});

  grpc::ClientContext bad_ctx;
  v1::ListPodsRequest bad;
  bad.set_label_selector("app in web");
  v1::JsonDocument doc;
  auto st = stub->ListPods(&bad_ctx, bad, &doc);
  CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(st.error_message().find("app in web") != std::string::npos);

  for (const char* ref : {"web", "default/web", "uid-web"}) {
    grpc::ClientContext ctx;
    v1::PodRef req;
    req.set_pod(ref);
    v1::JsonDocument pod;
    REQUIRE(stub->GetPod(&ctx, req, &pod).ok());
    CHECK(parse(pod)["metadata"]["uid"] == "uid-web-1111");
  }
  grpc::ClientContext ctx;
  v1::PodRef req;
  req.set_pod("nope");
  st = stub->GetPod(&ctx, req, &doc);
  CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(st.error_message() == "pod \"nope\" not found");
}

TEST_CASE("containers: list, all, by pod, inspect by unique prefix") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  auto list = [&](const std::string& pod, bool all) {
    grpc::ClientContext ctx;
    v1::ListContainersRequest req;
    req.set_pod(pod);
    req.set_all(all);
    v1::ListContainersResponse resp;
    REQUIRE(stub->ListContainers(&ctx, req, &resp).ok());
    return resp;
  };
  CHECK(list("", false).containers_size() == 3);
  CHECK(list("", true).containers_size() == 4);
  auto db = list("db", true);
  REQUIRE(db.containers_size() == 2);
  CHECK(db.containers(0).state() == "exited");
  CHECK(db.containers(0).pod_uid() == "uid-db-2222");

  auto inspect = [&](const std::string& ref, v1::JsonDocument* doc) {
    grpc::ClientContext ctx;
    v1::ContainerRef req;
    req.set_container(ref);
    return stub->InspectContainer(&ctx, req, doc);
  };
  v1::JsonDocument doc;
  REQUIRE(inspect("c0ff", &doc).ok());
  CHECK(parse(doc)["name"] == "app");
  CHECK(parse(doc)["state"] == "running");
  CHECK(inspect("dbdb", &doc).error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // ambiguous
  CHECK(inspect("ffff", &doc).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("exec streams output then the exit code; timeouts are DEADLINE_EXCEEDED") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  auto run = [&](const std::string& pod, const std::string& container, int timeout, std::string* out,
                 std::string* err, int* code) {
    grpc::ClientContext ctx;
    v1::ExecRequest req;
    req.set_pod(pod);
    req.set_container(container);
    req.add_command("sh");
    req.add_command("-c");
    req.add_command("echo hello; exit 3");
    req.set_timeout_seconds(timeout);
    auto reader = stub->Exec(&ctx, req);
    v1::ExecOutput chunk;
    *code = -1;
    while (reader->Read(&chunk)) {
      *out += chunk.stdout();
      *err += chunk.stderr();
      if (chunk.exited()) *code = chunk.exit_code();
    }
    return reader->Finish();
  };
  std::string out, err;
  int code = 0;
  REQUIRE(run("web", "", 0, &out, &err, &code).ok());
  CHECK(out == "hello\n");
  CHECK(err == "warn\n");
  CHECK(code == 3);
  auto calls = f.backend.container_service.exec_calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].argv == std::vector<std::string>{"sh", "-c", "echo hello; exit 3"});

  // With a timeout the runtime's collected exec is used, with the timeout passed on.
  out.clear();
  err.clear();
  REQUIRE(run("web", "app", 7, &out, &err, &code).ok());
  CHECK(code == 3);
  CHECK(out == "hello\n");
  CHECK(f.backend.container_service.exec_calls().back().timeout == 7s);

  fakes::FakeContainerService::ExecScript slow;
  slow.timed_out = true;
  slow.exit_code = 137;
  f.backend.container_service.set_exec("c0ffee0123456789", slow);
  auto st = run("web", "app", 1, &out, &err, &code);
  CHECK(st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);

  CHECK(run("db", "", 0, &out, &err, &code).error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // 2 containers
  CHECK(run("nope", "", 0, &out, &err, &code).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("logs: tail, timestamps, not found") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  auto logs = [&](v1::LogsRequest req, std::string* out) {
    grpc::ClientContext ctx;
    auto reader = stub->Logs(&ctx, req);
    v1::LogChunk chunk;
    while (reader->Read(&chunk)) *out += chunk.data();
    return reader->Finish();
  };
  v1::LogsRequest req;
  req.set_pod("web");
  req.set_tail_lines(-1);
  std::string out;
  REQUIRE(logs(req, &out).ok());
  CHECK(out == "line 1\nline 2\nline 3\n");

  req.set_tail_lines(1);
  req.set_timestamps(true);
  out.clear();
  REQUIRE(logs(req, &out).ok());
  CHECK(out == "2024-05-01T10:00:00.500000000Z line 3\n");

  req.set_previous(true);
  auto st = logs(req, &out);
  CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
  req.set_pod("ghost");
  req.set_previous(false);
  CHECK(logs(req, &out).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("logs batch many lines into few messages") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  std::string expected = "line 1\nline 2\nline 3\n", records;
  for (int i = 0; i < 5000; ++i) {
    records += cri("entry " + std::to_string(i));
    expected += "entry " + std::to_string(i) + "\n";
  }
  append_file(f.log_path, records);
  grpc::ClientContext ctx;
  v1::LogsRequest req;
  req.set_pod("web");
  req.set_tail_lines(-1);
  auto reader = f.stub()->Logs(&ctx, req);
  v1::LogChunk chunk;
  std::string out;
  int messages = 0;
  while (reader->Read(&chunk)) {
    out += chunk.data();
    ++messages;
    CHECK(chunk.data().size() <= 33 * 1024);
  }
  REQUIRE(reader->Finish().ok());
  CHECK(out == expected);
  CHECK(messages <= 4);  // ~64 KB of text
}

TEST_CASE("logs follow sees new lines and ends when the container exits") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  grpc::ClientContext ctx;
  v1::LogsRequest req;
  req.set_pod("web");
  req.set_follow(true);
  req.set_tail_lines(1);
  auto reader = stub->Logs(&ctx, req);
  v1::LogChunk chunk;
  std::string out;
  while (out.find("line 3\n") == std::string::npos && reader->Read(&chunk)) out += chunk.data();
  CHECK(out == "line 3\n");
  append_file(f.log_path, cri("line 4"));
  while (out.find("line 4\n") == std::string::npos && reader->Read(&chunk)) out += chunk.data();
  append_file(f.log_path, cri("last words"));
  f.backend.set_log_running("default/web", "", false);
  while (reader->Read(&chunk)) out += chunk.data();
  CHECK(reader->Finish().ok());
  CHECK(out == "line 3\nline 4\nlast words\n");
}

TEST_CASE("logs follow continues across a rotation of the log file") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  grpc::ClientContext ctx;
  v1::LogsRequest req;
  req.set_pod("web");
  req.set_follow(true);
  req.set_tail_lines(0);
  auto reader = stub->Logs(&ctx, req);
  // Wait until the follow is inside the server before rotating.
  for (int i = 0; i < 500 && f.backend.log_location_calls() == 0; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  append_file(f.log_path, cri("before"));
  // nodeagent-logger's rotation: 0.log becomes 0.log.1 and a new 0.log starts.
  std::filesystem::rename(f.log_path, f.log_path + ".1");
  append_file(f.log_path, cri("after"));
  v1::LogChunk chunk;
  std::string out;
  while (out.find("after\n") == std::string::npos && reader->Read(&chunk)) out += chunk.data();
  f.backend.set_log_running("default/web", "", false);
  while (reader->Read(&chunk)) out += chunk.data();
  CHECK(reader->Finish().ok());
  CHECK(out == "before\nafter\n");
}

TEST_CASE("stop() ends open follows, waits for them, and refuses new calls") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  grpc::ClientContext ctx;
  v1::LogsRequest req;
  req.set_pod("web");
  req.set_follow(true);
  req.set_tail_lines(0);
  auto reader = stub->Logs(&ctx, req);
  // Wait until the follow is inside the server (it asked for the log location).
  for (int i = 0; i < 500 && f.backend.log_location_calls() == 0; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(f.backend.log_location_calls() > 0);
  auto start = std::chrono::steady_clock::now();
  f.server->stop();
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  v1::LogChunk chunk;
  while (reader->Read(&chunk)) {
  }
  reader->Finish();  // OK or CANCELLED, either way the stream is over

  grpc::ClientContext after;
  v1::VersionResponse v;
  CHECK_FALSE(f.stub()->Version(&after, {}, &v).ok());
}

TEST_CASE("images, events, services, trace and version pass through") {
  ServerFixture f;
  REQUIRE(f.server->start().ok());
  auto stub = f.stub();
  {
    grpc::ClientContext ctx;
    v1::PullImageRequest req;
    req.set_image("localhost:5000/app:v1");
    req.set_username("alice");
    req.set_password("s3cret");
    v1::Image image;
    REQUIRE(stub->PullImage(&ctx, req, &image).ok());
    CHECK(image.repo_tags(0) == "localhost:5000/app:v1");
    REQUIRE(f.backend.image_service.pulls.size() == 1);
    CHECK(f.backend.image_service.pulls[0].username == "alice");
    CHECK(f.backend.image_service.pulls[0].password == "s3cret");
  }
  {
    grpc::ClientContext ctx;
    f.backend.image_service.pull_error = nodeagent::unavailable("registry localhost:5000: connection refused");
    v1::PullImageRequest req;
    req.set_image("localhost:5000/other");
    v1::Image image;
    auto st = stub->PullImage(&ctx, req, &image);
    CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(st.error_message() == "registry localhost:5000: connection refused");
  }
  {
    grpc::ClientContext ctx;
    v1::ImportImageRequest req;
    req.set_path("/tmp/x.tar");
    req.set_name("example.com/x:1");
    v1::ListImagesResponse resp;
    REQUIRE(stub->ImportImage(&ctx, req, &resp).ok());
    CHECK(resp.images(0).repo_tags(0) == "example.com/x:1");
  }
  {
    grpc::ClientContext ctx;
    v1::ListImagesResponse resp;
    REQUIRE(stub->ListImages(&ctx, {}, &resp).ok());
    CHECK(resp.images_size() == 3);
  }
  {
    grpc::ClientContext ctx;
    v1::RemoveImageRequest req;
    req.set_image("docker.io/library/busybox:latest");
    v1::RemoveImageResponse resp;
    REQUIRE(stub->RemoveImage(&ctx, req, &resp).ok());
    grpc::ClientContext again;
    CHECK(stub->RemoveImage(&again, req, &resp).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext ctx;
    v1::ListEventsRequest req;
    req.set_pod("db");
    v1::JsonDocument doc;
    REQUIRE(stub->ListEvents(&ctx, req, &doc).ok());
    CHECK(parse(doc)["kind"] == "EventList");
    CHECK(parse(doc)["items"][0]["reason"] == "BackOff");
  }
  {
    f.backend.set_services(nodeagent::Error{ErrorCode::kFailedPrecondition, "service proxy is not running"});
    grpc::ClientContext ctx;
    v1::JsonDocument doc;
    auto st = stub->ListServices(&ctx, {}, &doc);
    CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    f.backend.set_trace(std::string("KUBE-SERVICES -> KUBE-SVC-X\n"));
    grpc::ClientContext ctx;
    v1::TraceRequest req;
    req.set_service("default/web");
    req.set_port("http");
    v1::TraceResponse resp;
    REQUIRE(stub->TraceService(&ctx, req, &resp).ok());
    CHECK(resp.text() == "KUBE-SERVICES -> KUBE-SVC-X\n");
    CHECK(f.backend.traced.back() == "default/web:http");
  }
  {
    grpc::ClientContext ctx;
    v1::VersionResponse v;
    REQUIRE(stub->Version(&ctx, {}, &v).ok());
    CHECK(v.version() == "0.1.0-test");
    CHECK(v.node_name() == "node-1");
  }
}
