// Integration test: nodeagent-logger started exactly as containerd 1.6's runc shim starts a
// binary logging driver (pkg/process/io.go NewBinaryIO + io_util.go NewBinaryCmd): argv
// key/value pairs from the URI query, env with only CONTAINER_ID and CONTAINER_NAMESPACE,
// stdout pipe on fd 3, stderr pipe on fd 4, a "ready" pipe on fd 5 that the shim reads until
// EOF; at the end the shim closes its pipe ends and sends SIGTERM. Fast writers must not lose
// a line. Files live in a temp dir removed at the end.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/logs/cri_format.h"
#include "test/support/temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono;
using nodeagent::testing::TempDir;

namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
  }
};

// The shim side of one logger: pipes, the logger process, and the shutdown sequence.
struct ShimSide {
  Pipe out, err, ready;
  pid_t logger = -1;

  void start(const std::vector<std::string>& args) {
    std::vector<std::string> argv_strings = {NA_LOGGER_BIN};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string id = "CONTAINER_ID=c1", ns = "CONTAINER_NAMESPACE=it";
    char* envp[] = {id.data(), ns.data(), nullptr};
    logger = ::fork();
    REQUIRE(logger >= 0);
    if (logger == 0) {
      // Go's ExtraFiles: the read ends and the ready pipe's write end become fds 3, 4, 5.
      const int a = ::fcntl(out.r, F_DUPFD, 10), b = ::fcntl(err.r, F_DUPFD, 10), c = ::fcntl(ready.w, F_DUPFD, 10);
      ::dup2(a, 3);
      ::dup2(b, 4);
      ::dup2(c, 5);
      ::close_range(6, ~0U, 0);
      ::execve(argv[0], argv.data(), envp);
      ::_exit(127);
    }
    // "close our side of the pipe after start", then wait until the logger is ready.
    ::close(ready.w);
    ready.w = -1;
    char byte;
    REQUIRE(::read(ready.r, &byte, 1) == 0);
    // CloseAfterStart: the shim drops its copies of the read ends.
    ::close(out.r);
    out.r = -1;
    ::close(err.r);
    err.r = -1;
  }

  // binaryIO.Close(): close the pipes, SIGTERM, wait (the shim kills after 12 s). Returns the
  // exit status and how long the logger took after SIGTERM.
  std::pair<int, milliseconds> stop() {
    ::close(out.w);
    out.w = -1;
    ::close(err.w);
    err.w = -1;
    ::kill(logger, SIGTERM);
    const auto start = steady_clock::now();
    int status = -1;
    while (steady_clock::now() - start < seconds(12)) {
      if (::waitpid(logger, &status, WNOHANG) == logger) {
        return {status, duration_cast<milliseconds>(steady_clock::now() - start)};
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    ::kill(logger, SIGKILL);
    ::waitpid(logger, &status, 0);
    return {-1, seconds(12)};
  }
};

// A "container" process writing `lines` numbered lines to `fd`, one write() per line or in
// big batches.
pid_t spawn_writer(int fd, const std::string& tag, int lines, bool batched) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  std::string batch;
  auto flush = [&] {
    size_t done = 0;
    while (done < batch.size()) {
      const ssize_t n = ::write(fd, batch.data() + done, batch.size() - done);
      if (n <= 0) ::_exit(1);
      done += static_cast<size_t>(n);
    }
    batch.clear();
  };
  for (int i = 0; i < lines; ++i) {
    batch += tag + std::to_string(i) + " the quick brown fox\n";
    if (!batched || batch.size() > 64 * 1024) flush();
  }
  flush();
  ::_exit(0);
}

struct Check {
  int stdout_lines = 0, stderr_lines = 0;
  bool in_order = true, well_formed = true;
};

// Reads path.N ... path.1, path (oldest first) and checks the numbered lines of both streams.
Check check_files(const std::string& path) {
  std::vector<std::string> files;
  for (int n = 1; fs::exists(path + "." + std::to_string(n)); ++n) files.insert(files.begin(), path + "." + std::to_string(n));
  files.push_back(path);
  Check c;
  for (const auto& file : files) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      auto record = nodeagent::runtime::logs::parse_record(line);
      if (!record.ok() || record->partial) {
        c.well_formed = false;
        continue;
      }
      const bool is_out = record->stream == nodeagent::runtime::logs::Stream::kStdout;
      int& next = is_out ? c.stdout_lines : c.stderr_lines;
      c.in_order &= record->content == (is_out ? "out-" : "err-") + std::to_string(next) + " the quick brown fox";
      ++next;
    }
  }
  return c;
}

}  // namespace

TEST_CASE("nodeagent-logger run like the shim runs it loses no line of 2 x 200k fast lines") {
  TempDir dir("na-logger-it");
  const std::string path = dir.path() + "/0.log";
  ShimSide shim;
  // Go map order is random: the path comes last here on purpose.
  shim.start({"max-files", "5", "max-size", "1Gi", "path", path});
  constexpr int kLines = 200000;
  const auto start = steady_clock::now();
  const pid_t w1 = spawn_writer(shim.out.w, "out-", kLines, false);
  const pid_t w2 = spawn_writer(shim.err.w, "err-", kLines, true);
  int s1 = -1, s2 = -1;
  ::waitpid(w1, &s1, 0);
  ::waitpid(w2, &s2, 0);
  const auto written = duration_cast<milliseconds>(steady_clock::now() - start);
  CHECK(s1 == 0);
  CHECK(s2 == 0);
  auto [status, stop_time] = shim.stop();
  CHECK(status == 0);
  CHECK(stop_time < seconds(2));
  const Check c = check_files(path);
  CHECK(c.well_formed);
  CHECK(c.in_order);
  CHECK(c.stdout_lines == kLines);
  CHECK(c.stderr_lines == kLines);
  WARN("2 x 200k lines written through nodeagent-logger in " << written.count() << " ms; exit after SIGTERM "
                                                             << stop_time.count() << " ms");
}

TEST_CASE("nodeagent-logger rotates by size and keeps every line across the files") {
  TempDir dir("na-logger-it");
  const std::string path = dir.path() + "/0.log";
  ShimSide shim;
  shim.start({"path", path, "max-size", "1Mi", "max-files", "100"});
  constexpr int kLines = 100000;
  const pid_t w1 = spawn_writer(shim.out.w, "out-", kLines, true);
  const pid_t w2 = spawn_writer(shim.err.w, "err-", kLines, true);
  ::waitpid(w1, nullptr, 0);
  ::waitpid(w2, nullptr, 0);
  auto [status, stop_time] = shim.stop();
  CHECK(status == 0);
  CHECK(fs::exists(path + ".5"));
  for (int n = 1; fs::exists(path + "." + std::to_string(n)); ++n) {
    CHECK(fs::file_size(path + "." + std::to_string(n)) <= 1024 * 1024);
  }
  const Check c = check_files(path);
  CHECK(c.in_order);
  CHECK(c.stdout_lines == kLines);
  CHECK(c.stderr_lines == kLines);
}

TEST_CASE("nodeagent-logger exits promptly on SIGTERM while a process still holds the pipe") {
  TempDir dir("na-logger-it");
  const std::string path = dir.path() + "/0.log";
  ShimSide shim;
  shim.start({"path", path});
  // A daemonised child of the container keeps stdout open; it wrote a last line without '\n'.
  const int held = ::dup(shim.out.w);
  REQUIRE(::write(held, "out-0 the quick brown fox\nout-1 the quick brown fox", 51) == 51);
  std::this_thread::sleep_for(milliseconds(50));
  auto [status, stop_time] = shim.stop();
  ::close(held);
  CHECK(status == 0);
  CHECK(stop_time < seconds(2));
  const Check c = check_files(path);
  CHECK(c.stdout_lines == 2);
  CHECK(c.in_order);
}

TEST_CASE("nodeagent-logger with bad arguments releases the shim and fails") {
  ShimSide shim;
  shim.start({"path", "relative.log"});  // start() itself checks that fd 5 reached EOF
  int status = -1;
  ::waitpid(shim.logger, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
}
