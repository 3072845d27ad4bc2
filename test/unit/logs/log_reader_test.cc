// Unit tests: reading CRI logs for `nodectl logs` (tail, filters, timestamps, follow, rotation).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "runtime/logs/log_reader.h"
#include "runtime/logs/rotating_writer.h"
#include "temp_dir.h"

using namespace nodeagent::runtime::logs;

namespace {

const std::string kT1 = "2026-11-25T07:34:13.5Z";
const std::string kT2 = "2026-11-25T07:34:14Z";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string read_all(const std::string& path, const ReadOptions& options) {
  std::string out;
  auto status = read_logs(path, options, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  REQUIRE(status.ok());
  return out;
}

const std::string kSample =
    kT1 + " stdout F one\n" +
    kT1 + " stderr F err-one\n" +
    kT1 + " stdout P tw\n" +
    kT2 + " stderr F err-two\n" +
    kT2 + " stdout F o\n" +
    "not a cri line\n" +
    kT2 + " stdout F three\n";

}  // namespace

TEST_CASE("reader joins partial records and keeps stream order") {
  TempDir dir;
  write_file(dir.file("0.log"), kSample);
  CHECK(read_all(dir.file("0.log"), {}) == "one\nerr-one\nerr-two\ntwo\nthree\n");
}

TEST_CASE("reader filters by stream and time, and prints timestamps of the first record") {
  TempDir dir;
  write_file(dir.file("0.log"), kSample);
  ReadOptions stdout_only;
  stdout_only.stream = Stream::kStdout;
  stdout_only.timestamps = true;
  CHECK(read_all(dir.file("0.log"), stdout_only) ==
        "2026-11-25T07:34:13.500000000Z one\n"
        "2026-11-25T07:34:13.500000000Z two\n"
        "2026-11-25T07:34:14.000000000Z three\n");
  ReadOptions since;
  since.since = *parse_timestamp(kT2);
  CHECK(read_all(dir.file("0.log"), since) == "err-two\nthree\n");
}

TEST_CASE("tail returns the last N lines, reaching into rotated files when needed") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  write_file(path + ".2", kT1 + " stdout F a\n");
  write_file(path + ".1", kT1 + " stdout F b\n" + kT1 + " stdout F c\n");
  write_file(path, kT2 + " stdout F d\n" + kT2 + " stdout F e\n");
  ReadOptions tail;
  tail.tail_lines = 1;
  CHECK(read_all(path, tail) == "e\n");
  tail.tail_lines = 3;
  CHECK(read_all(path, tail) == "c\nd\ne\n");
  tail.tail_lines = 10;
  CHECK(read_all(path, tail) == "a\nb\nc\nd\ne\n");
  tail.tail_lines = 0;
  CHECK(read_all(path, tail).empty());
}

TEST_CASE("a sink that returns false stops the read") {
  TempDir dir;
  write_file(dir.file("0.log"), kSample);
  int calls = 0;
  auto status = read_logs(dir.file("0.log"), {}, [&](std::string_view) { return ++calls < 2; });
  CHECK(status.ok());
  CHECK(calls == 2);
  CHECK_FALSE(read_logs(dir.file("missing.log"), {}, [](std::string_view) { return true; }).ok());
}

TEST_CASE("follow sees new lines, also across rotations, and not a half-written line early") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  write_file(path, kT1 + " stdout F before\n");
  std::mutex mu;
  std::string seen;
  std::atomic<bool> done{false};
  ReadOptions follow;
  follow.follow = true;
  follow.poll_interval = std::chrono::milliseconds(5);
  std::thread reader([&] {
    auto status = read_logs(
        path, follow,
        [&](std::string_view chunk) {
          std::lock_guard lock(mu);
          seen.append(chunk);
          return true;
        },
        [&] { return !done.load(); });
    CHECK(status.ok());
  });
  auto seen_now = [&] {
    std::lock_guard lock(mu);
    return seen;
  };
  auto wait_for = [&](const std::string& expected) {
    for (int i = 0; i < 400 && seen_now() != expected; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return seen_now();
  };
  CHECK(wait_for("before\n") == "before\n");

  {
    std::ofstream out(path, std::ios::app);
    out << kT1 << " stdout F after\n" << kT1 << " stdout F half" << std::flush;
  }
  CHECK(wait_for("before\nafter\n") == "before\nafter\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK(seen_now() == "before\nafter\n");  // "half" has no newline yet
  {
    std::ofstream out(path, std::ios::app);
    out << "-done\n" << kT1 << " stdout F last-in-old\n";
  }
  // Rotate the way nodeagent-logger does (rename, then a new file), several times.
  for (int round = 0; round < 3; ++round) {
    REQUIRE(std::rename((path + (round ? "" : "")).c_str(), (path + ".1").c_str()) == 0);
    write_file(path, kT2 + " stdout F new-" + std::to_string(round) + "\n");
    const std::string expected_tail = "new-" + std::to_string(round) + "\n";
    for (int i = 0; i < 400 && seen_now().find(expected_tail) == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  done = true;
  reader.join();
  CHECK(seen_now() == "before\nafter\nhalf-done\nlast-in-old\nnew-0\nnew-1\nnew-2\n");
}

TEST_CASE("follow ends with a last read when the writer is done, so its last lines are not lost") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  write_file(path, kT1 + " stdout F first\n");
  ReadOptions follow;
  follow.follow = true;
  follow.poll_interval = std::chrono::milliseconds(1);
  std::string seen;
  int asked = 0;
  auto status = read_logs(
      path, follow,
      [&](std::string_view chunk) {
        seen.append(chunk);
        return true;
      },
      [&] {
        // The container writes its last line and exits between two looks.
        std::ofstream(path, std::ios::app) << kT1 << " stdout F last-" << asked << "\n";
        return ++asked < 2;
      });
  REQUIRE(status.ok());
  CHECK(seen == "first\nlast-0\nlast-1\n");
}

TEST_CASE("follow reads a file that the real writer rotates while it is being followed") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  RotatingWriter writer(path, {.max_size = 200, .max_files = 50});
  REQUIRE(writer.open().ok());
  std::atomic<bool> done{false};
  std::atomic<int> lines{0};
  ReadOptions follow;
  follow.follow = true;
  follow.poll_interval = std::chrono::milliseconds(2);
  std::string seen;
  std::thread reader([&] {
    read_logs(
        path, follow,
        [&](std::string_view chunk) {
          seen.append(chunk);
          ++lines;
          return true;
        },
        [&] { return !done.load(); })
        .ignore_error();
  });
  // The reader starts on the current file; wait until it has read line-0 before rotating.
  std::string expected = "line-0\n";
  {
    std::string record;
    append_record(record, kT1, Stream::kStdout, false, "line-0");
    REQUIRE(writer.append(record).ok());
    REQUIRE(writer.flush().ok());
  }
  for (int i = 0; i < 1000 && lines.load() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  for (int i = 1; i < 300; ++i) {
    std::string record;
    append_record(record, kT1, Stream::kStdout, false, "line-" + std::to_string(i));
    REQUIRE(writer.append(record).ok());
    REQUIRE(writer.flush().ok());
    expected += "line-" + std::to_string(i) + "\n";
    if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int i = 0; i < 1000 && lines.load() < 300; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  done = true;
  reader.join();
  CHECK(writer.rotations() > 10);
  CHECK(seen == expected);
}

TEST_CASE("log paths follow kubelet's <restart>.log layout") {
  TempDir dir;
  CHECK(container_log_path("/var/log/pods/ns_p_u/c", 2) == "/var/log/pods/ns_p_u/c/2.log");
  CHECK_FALSE(previous_log_path(dir.path(), 0).ok());
  CHECK(previous_log_path(dir.path(), 2).error().code == nodeagent::ErrorCode::kNotFound);
  write_file(dir.file("1.log"), "");
  auto previous = previous_log_path(dir.path(), 2);
  REQUIRE(previous.ok());
  CHECK(*previous == dir.file("1.log"));
}
