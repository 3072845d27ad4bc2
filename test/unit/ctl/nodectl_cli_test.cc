// The built nodectl binary against an in-process ApiServer over a FakeBackend: output, the
// one-line errors, exit codes (exec passes its command's code through), logs -f.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "test/unit/api/server_fixture.h"
#include "test/support/temp_dir.h"

extern char** environ;

using namespace nodeagent;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::append_file;
using testing::cri;
using testing::ServerFixture;
using nodeagent::testing::slurp;

namespace {

struct Run {
  int code = -1;
  std::string out, err;
};

// Starts nodectl with `args`, stdout/stderr to files in `dir`; returns its pid.
pid_t spawn_nodectl(const testing::TempDir& dir, const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> argv_s = {NODECTL_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("NODEAGENT_SOCKET=", 0) != 0) env_s.push_back(*e);
  }
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, dir.file("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, dir.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, NODECTL_PATH, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

Run wait_nodectl(const testing::TempDir& dir, pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  Run r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(dir.file("out"));
  r.err = slurp(dir.file("err"));
  return r;
}

class CliFixture : public ServerFixture {
 public:
  CliFixture() : work("na-ctl") { REQUIRE(server->start().ok()); }
  Run run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", socket_path});
    return wait_nodectl(work, spawn_nodectl(work, args));
  }
  testing::TempDir work;
};

}  // namespace

TEST_CASE("nodectl pods prints kubectl's table, json and yaml") {
  CliFixture f;
  Run r = f.run({"pods"});
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  std::istringstream lines(r.out);
  std::string header, web, db, dns;
  std::getline(lines, header);
  std::getline(lines, web);
  std::getline(lines, db);
  std::getline(lines, dns);
  // Mixed namespaces: the NAMESPACE column is there.
  CHECK(header.rfind("NAMESPACE     NAME   READY   STATUS             RESTARTS   AGE   IP", 0) == 0);
  CHECK(web.rfind("default       web    1/1     Running            0          15m   10.244.0.3", 0) == 0);
  CHECK(db.rfind("default       db     1/2     CrashLoopBackOff   3          15m", 0) == 0);

  r = f.run({"pods", "-n", "default", "-o", "wide"});
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("NAME   READY", 0) == 0);  // one namespace: no NAMESPACE column
  CHECK(r.out.find("NODE\n") != std::string::npos);
  CHECK(r.out.find("node-1\n") != std::string::npos);
  CHECK(r.out.find("dns") == std::string::npos);

  r = f.run({"pods", "-l", "app=dns", "-o", "json"});
  REQUIRE(r.code == 0);
  json list = json::parse(r.out);
  CHECK(list["kind"] == "PodList");
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["metadata"]["name"] == "dns");

  r = f.run({"pods", "-n", "kube-system", "-o", "yaml"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("kind: PodList\n") != std::string::npos);
  CHECK(r.out.find("name: dns\n") != std::string::npos);

  r = f.run({"pods", "-n", "empty"});
  CHECK(r.code == 0);
  CHECK(r.err == "No resources found in empty namespace.\n");

  r = f.run({"pods", "-l", "app in web"});
  CHECK(r.code == 1);
  CHECK(r.err.rfind("nodectl: invalid label selector \"app in web\"", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("nodectl errors are one line on stderr with a non-zero exit") {
  CliFixture f;
  Run r = f.run({"inspectp", "web"});
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["metadata"]["uid"] == "uid-web-1111");

  r = f.run({"inspectp", "nope"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "nodectl: pod \"nope\" not found\n");

  r = f.run({"pods", "-o", "xml"});
  CHECK(r.code == 1);
  CHECK(r.err.rfind("nodectl: unknown output format \"xml\"", 0) == 0);

  // Nothing listening: the socket path and the reason.
  testing::TempDir empty("na-ctl-none");
  std::string missing = empty.file("gone.sock");
  pid_t pid = spawn_nodectl(f.work, {"pods"}, {"NODEAGENT_SOCKET=" + missing});
  r = wait_nodectl(f.work, pid);
  CHECK(r.code == 1);
  CHECK(r.err == "nodectl: cannot reach nodeagent at " + missing + ": No such file or directory\n");

  // $NODEAGENT_SOCKET is honoured.
  pid = spawn_nodectl(f.work, {"version"}, {"NODEAGENT_SOCKET=" + f.socket_path});
  r = wait_nodectl(f.work, pid);
  CHECK(r.code == 0);
  CHECK(r.out.find("Agent Version: 0.1.0-test\n") != std::string::npos);
  CHECK(r.out.find("Node: node-1\n") != std::string::npos);
}

TEST_CASE("nodectl exec passes the command's output and exit code through") {
  CliFixture f;
  Run r = f.run({"exec", "web", "--", "sh", "-c", "echo hello; exit 3"});
  CHECK(r.code == 3);
  CHECK(r.out == "hello\n");
  CHECK(r.err == "warn\n");
  CHECK(f.backend.container_service.exec_calls().back().argv == std::vector<std::string>{"sh", "-c", "echo hello; exit 3"});

  fakes::FakeContainerService::ExecScript ok;
  ok.output = {{false, "fine\n"}};
  ok.exit_code = 0;
  f.backend.container_service.set_exec("c0ffee0123456789", ok);
  r = f.run({"exec", "web", "-c", "app", "--timeout", "5", "--", "true"});
  CHECK(r.code == 0);
  CHECK(r.out == "fine\n");

  fakes::FakeContainerService::ExecScript slow;
  slow.timed_out = true;
  f.backend.container_service.set_exec("c0ffee0123456789", slow);
  r = f.run({"exec", "web", "--timeout", "1", "--", "sleep", "10"});
  CHECK(r.code == 124);
  CHECK(r.err == "nodectl: exec in pod \"web\": command timed out after 1s\n");

  r = f.run({"exec", "db", "--", "ls"});
  CHECK(r.code == 1);
  CHECK(r.err == "nodectl: pod \"db\" has several containers: choose one with -c\n");
}

TEST_CASE("nodectl logs: tail, timestamps, follow until the container exits") {
  CliFixture f;
  Run r = f.run({"logs", "web"});
  REQUIRE(r.code == 0);
  CHECK(r.out == "line 1\nline 2\nline 3\n");
  r = f.run({"logs", "web", "--tail", "2"});
  CHECK(r.out == "line 2\nline 3\n");
  r = f.run({"logs", "web", "--tail", "1", "--timestamps"});
  CHECK(r.out == "2024-05-01T10:00:00.500000000Z line 3\n");
  r = f.run({"logs", "ghost"});
  CHECK(r.code == 1);
  CHECK(r.err == "nodectl: pod \"ghost\" not found\n");

  pid_t pid = spawn_nodectl(f.work, {"--socket", f.socket_path, "logs", "-f", "--tail", "1", "web", "-c", "app"});
  // The follower is reading once its first line reached the output file.
  for (int i = 0; i < 500 && slurp(f.work.file("out")).empty(); ++i) std::this_thread::sleep_for(10ms);
  CHECK(slurp(f.work.file("out")) == "line 3\n");
  append_file(f.log_path, cri("new ", 'P') + cri("line"));
  for (int i = 0; i < 500 && slurp(f.work.file("out")).find("new line") == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  append_file(f.log_path, cri("bye"));
  f.backend.set_log_running("default/web", "app", false);
  r = wait_nodectl(f.work, pid);
  CHECK(r.code == 0);
  CHECK(r.out == "line 3\nnew line\nbye\n");
}

TEST_CASE("nodectl ps, inspect, images, pull, rmi, events, services, trace") {
  CliFixture f;
  Run r = f.run({"ps"});
  REQUIRE(r.code == 0);
  INFO(r.out);
  CHECK(r.out.rfind("CONTAINER       IMAGE", 0) == 0);
  CHECK(r.out.find("c0ffee0123456   docker.io/library/busybox:latest   14m ago   running   app       0         default/web\n") !=
        std::string::npos);
  CHECK(r.out.find("exited") == std::string::npos);
  r = f.run({"ps", "-a", "-p", "db", "-q"});
  CHECK(r.out == "dbdb000000000001\ndbdb000000000002\n");

  r = f.run({"inspect", "c0ff"});
  REQUIRE(r.code == 0);
  CHECK(json::parse(r.out)["pod"]["name"] == "web");
  r = f.run({"inspect", "dbdb"});
  CHECK(r.code == 1);
  CHECK(r.err == "nodectl: container id prefix \"dbdb\" is ambiguous\n");

  r = f.run({"images"});
  CHECK(r.out == "IMAGE                       TAG      IMAGE ID        SIZE\n"
                 "docker.io/library/busybox   latest   bbbbbbbbbbbbb   2.15MB\n");
  r = f.run({"pull", "localhost:5000/app:v1", "--creds", "alice:pa:ss"});
  CHECK(r.code == 0);
  CHECK(f.backend.image_service.pulls.back().password == "pa:ss");
  r = f.run({"pull", "x", "--creds", "nocolon"});
  CHECK(r.code == 1);
  r = f.run({"rmi", "docker.io/library/busybox:latest", "missing:1"});
  CHECK(r.code == 1);
  CHECK(r.out == "Deleted: docker.io/library/busybox:latest\n");
  CHECK(r.err == "nodectl: image \"missing:1\" not found\n");

  append_file(f.work.file("img.tar"), "tar");
  r = f.run({"import", f.work.file("img.tar"), "--name", "example.com/img:1"});
  CHECK(r.code == 0);
  CHECK(f.backend.image_service.imports.back().path == f.work.file("img.tar"));
  CHECK(r.out.find("Imported example.com/img:1") == 0);

  r = f.run({"events"});
  CHECK(r.out.find("Warning   BackOff   pod/db   Back-off restarting failed container\n") != std::string::npos);

  f.backend.set_services(json{{"items", {{{"namespace", "default"}, {"name", "web"}, {"clusterIP", "10.96.0.10"},
                                          {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}, {"endpoints", 2}}}}});
  r = f.run({"services"});
  CHECK(r.out.find("default     web    ClusterIP   10.96.0.10   80/TCP    2\n") != std::string::npos);

  f.backend.set_trace(std::string("path: KUBE-SERVICES -> KUBE-SVC-ABC"));
  r = f.run({"trace", "default/web:80"});
  CHECK(r.code == 0);
  CHECK(r.out == "path: KUBE-SERVICES -> KUBE-SVC-ABC\n");
  CHECK(f.backend.traced.back() == "default/web:80");
}
