// Unit tests: the logger loop over pipes (the shim's fds 3, 4, 5 and SIGTERM, simulated).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "runtime/logs/logger_loop.h"
#include "temp_dir.h"

using namespace nodeagent::runtime::logs;

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
    close_read();
    close_write();
  }
  void close_read() {
    if (r >= 0) ::close(r);
    r = -1;
  }
  void close_write() {
    if (w >= 0) ::close(w);
    w = -1;
  }
  void write_all(const std::string& data) const {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(w, data.data() + done, data.size() - done);
      REQUIRE(n > 0);
      done += static_cast<size_t>(n);
    }
  }
};

const TimePoint kTime = TimePoint(std::chrono::seconds(1795592053));
Clock fixed_clock() {
  return [] { return kTime; };
}

bool at_eof(int fd) {
  pollfd p{fd, POLLIN, 0};
  char c;
  return ::poll(&p, 1, 0) == 1 && ::read(fd, &c, 1) == 0;
}

}  // namespace

TEST_CASE("logger writes both streams as CRI records and exits at end of both") {
  TempDir dir;
  Pipe out, err, ready;
  LoggerOptions options;
  options.path = dir.file("0.log");
  LoggerFds fds{out.r, err.r, ready.w, -1};
  ready.w = -1;  // the logger owns (and closes) it
  auto run = std::async(std::launch::async, [&] { return run_logger(options, fds, fixed_clock()); });
  // The shim waits for the ready pipe to close before starting the container.
  pollfd p{ready.r, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);
  CHECK(at_eof(ready.r));

  out.write_all("hello\nwor");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  err.write_all("oops\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  out.write_all("ld\nno newline at the end");
  out.close_write();
  err.close_write();
  auto stats = run.get();
  REQUIRE(stats.ok());
  CHECK(stats->records == 4);
  CHECK(stats->write_errors == 0);
  CHECK(slurp(options.path) ==
        "2026-11-25T07:34:13Z stdout F hello\n"
        "2026-11-25T07:34:13Z stderr F oops\n"
        "2026-11-25T07:34:13Z stdout F world\n"
        "2026-11-25T07:34:13Z stdout F no newline at the end\n");
}

TEST_CASE("logger stops on the stop fd even while a writer still holds the pipe, and flushes") {
  TempDir dir;
  Pipe out, err, stop;
  LoggerOptions options;
  options.path = dir.file("0.log");
  options.max_line_size = 8;
  LoggerFds fds{out.r, err.r, -1, stop.r};
  auto run = std::async(std::launch::async, [&] { return run_logger(options, fds, fixed_clock()); });
  out.write_all("0123456789abc\npending");
  stop.write_all("x");  // SIGTERM, as a signalfd would report it
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(run.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  auto stats = run.get();
  REQUIRE(stats.ok());
  CHECK(slurp(options.path) ==
        "2026-11-25T07:34:13Z stdout P 01234567\n"
        "2026-11-25T07:34:13Z stdout F 89abc\n"
        "2026-11-25T07:34:13Z stdout F pending\n");
}

TEST_CASE("logger that cannot open its file still releases the shim and reports the path") {
  Pipe out, err, ready;
  LoggerOptions options;
  options.path = "/nonexistent-dir-na/0.log";
  LoggerFds fds{out.r, err.r, ready.w, -1};
  ready.w = -1;
  auto stats = run_logger(options, fds, fixed_clock());
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.error().message.find("/nonexistent-dir-na/0.log") != std::string::npos);
  CHECK(at_eof(ready.r));
}

TEST_CASE("logger loses nothing when both streams write fast at once") {
  TempDir dir;
  Pipe out, err;
  LoggerOptions options;
  options.path = dir.file("0.log");
  options.rotation.max_size = 0;  // no rotation: count everything in one file
  LoggerFds fds{out.r, err.r, -1, -1};
  auto run = std::async(std::launch::async, [&] { return run_logger(options, fds); });
  constexpr int kLines = 50000;
  auto writer = [](const Pipe& pipe, const std::string& tag) {
    std::string chunk;
    for (int i = 0; i < kLines; ++i) {
      chunk += tag + std::to_string(i) + "\n";
      if (chunk.size() > 3000) {
        pipe.write_all(chunk);
        chunk.clear();
      }
    }
    pipe.write_all(chunk);
  };
  std::thread a(writer, std::cref(out), "out-");
  std::thread b(writer, std::cref(err), "err-");
  a.join();
  b.join();
  out.close_write();
  err.close_write();
  auto stats = run.get();
  REQUIRE(stats.ok());
  CHECK(stats->records == 2 * kLines);
  int next_out = 0, next_err = 0;
  bool in_order = true;
  for (const auto& line : lines_of(slurp(options.path))) {
    const auto tag_pos = line.find(" F ");
    REQUIRE(tag_pos != std::string::npos);
    const std::string content = line.substr(tag_pos + 3);
    if (content.rfind("out-", 0) == 0) in_order &= content == "out-" + std::to_string(next_out++);
    else in_order &= content == "err-" + std::to_string(next_err++);
  }
  CHECK(in_order);
  CHECK(next_out == kLines);
  CHECK(next_err == kLines);
}
