// Tests of reading CRI log files: tail, timestamps, follow until the writer stops, rotation,
// truncation and cancellation. Real files in a temp dir; a thread plays the container.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "agent/api/log_follower.h"
#include "test/unit/api/test_dir.h"

using namespace nodeagent::api;
using nodeagent::testing::append_file;
using nodeagent::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::string rec(const std::string& content, char tag = 'F', const std::string& stream = "stdout") {
  return "2024-05-01T10:00:00.000000001Z " + stream + " " + tag + " " + content + "\n";
}

// Collects output; `active` plays the container (running or not).
struct Reader {
  std::mutex mu;
  std::string out;
  std::atomic<bool> active{true};
  std::atomic<bool> cancel{false};

  LogCallbacks callbacks() {
    LogCallbacks cb;
    cb.sink = [this](std::string_view d) {
      std::lock_guard lock(mu);
      out.append(d);
      return true;
    };
    cb.writer_active = [this] { return active.load(); };
    cb.cancelled = [this] { return cancel.load(); };
    return cb;
  }
  std::string text() {
    std::lock_guard lock(mu);
    return out;
  }
  // Waits until the output contains `needle` (or 5 s).
  bool wait_for(const std::string& needle) {
    for (int i = 0; i < 500; ++i) {
      if (text().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

LogReadOptions fast(bool follow, int64_t tail = -1) {
  LogReadOptions o;
  o.follow = follow;
  o.tail_lines = tail;
  o.poll_interval = 5ms;
  o.writer_check_interval = 5ms;
  return o;
}

}  // namespace

TEST_CASE("reading a whole log, its tail, and with timestamps") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  append_file(path, rec("one") + rec("two") + rec("thr", 'P') + rec("ee") + rec("four", 'F', "stderr"));

  Reader all;
  REQUIRE(stream_log(path, fast(false), all.callbacks()).ok());
  CHECK(all.text() == "one\ntwo\nthree\nfour\n");

  Reader tail;
  REQUIRE(stream_log(path, fast(false, 2), tail.callbacks()).ok());
  CHECK(tail.text() == "three\nfour\n");

  Reader zero;
  REQUIRE(stream_log(path, fast(false, 0), zero.callbacks()).ok());
  CHECK(zero.text().empty());

  Reader ts;
  LogReadOptions o = fast(false, 1);
  o.timestamps = true;
  REQUIRE(stream_log(path, o, ts.callbacks()).ok());
  CHECK(ts.text() == "2024-05-01T10:00:00.000000001Z four\n");
}

TEST_CASE("an unterminated last record is still shown when not following") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  append_file(path, rec("one") + "2024-05-01T10:00:00Z stdout F no newline");
  Reader r;
  REQUIRE(stream_log(path, fast(false), r.callbacks()).ok());
  CHECK(r.text() == "one\nno newline\n");
}

TEST_CASE("a missing log file is NotFound unless following") {
  TempDir dir("na-logs");
  Reader r;
  auto st = stream_log(dir.file("nope.log"), fast(false), r.callbacks());
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == nodeagent::ErrorCode::kNotFound);

  // Following a container that has not written yet waits for the file.
  Reader f;
  std::string path = dir.file("late.log");
  std::thread reader([&] { CHECK(stream_log(path, fast(true), f.callbacks()).ok()); });
  std::this_thread::sleep_for(30ms);
  append_file(path, rec("finally"));
  CHECK(f.wait_for("finally\n"));
  f.active = false;
  reader.join();
  CHECK(f.text() == "finally\n");
}

TEST_CASE("follow prints the tail, then new lines, and ends when the writer stops") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  append_file(path, rec("old1") + rec("old2") + rec("old3"));
  Reader r;
  nodeagent::Status result;
  std::thread reader([&] { result = stream_log(path, fast(true, 1), r.callbacks()); });
  REQUIRE(r.wait_for("old3\n"));
  append_file(path, rec("new", 'P'));
  append_file(path, rec("1"));
  REQUIRE(r.wait_for("new1\n"));
  // Half a record: nothing until its newline arrives.
  append_file(path, "2024-05-01T10:00:00Z stdout F half");
  std::this_thread::sleep_for(30ms);
  CHECK(r.text() == "old3\nnew1\n");
  append_file(path, " done\n" + rec("last"));
  r.active = false;  // the container exits after writing "last"
  reader.join();
  CHECK(result.ok());
  CHECK(r.text() == "old3\nnew1\nhalf done\nlast\n");
}

TEST_CASE("follow continues across rotation and truncation") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  append_file(path, rec("a"));
  Reader r;
  std::thread reader([&] { CHECK(stream_log(path, fast(true), r.callbacks()).ok()); });
  REQUIRE(r.wait_for("a\n"));
  append_file(path, rec("b"));
  // nodeagent-logger's rotation: 0.log → 0.log.1, a new 0.log.
  std::filesystem::rename(path, path + ".1");
  append_file(path, rec("c"));
  REQUIRE(r.wait_for("c\n"));
  CHECK(r.text() == "a\nb\nc\n");
  // copytruncate: the file shrinks to nothing and starts over.
  std::filesystem::resize_file(path, 0);
  std::this_thread::sleep_for(20ms);
  append_file(path, rec("d"));
  REQUIRE(r.wait_for("d\n"));
  r.active = false;
  reader.join();
  CHECK(r.text() == "a\nb\nc\nd\n");
}

TEST_CASE("a cancelled follow returns promptly with a running container") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  append_file(path, rec("x"));
  Reader r;
  std::thread reader([&] { CHECK(stream_log(path, fast(true), r.callbacks()).ok()); });
  REQUIRE(r.wait_for("x\n"));
  auto start = std::chrono::steady_clock::now();
  r.cancel = true;
  reader.join();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("a reader that went away stops the stream") {
  TempDir dir("na-logs");
  std::string path = dir.file("0.log");
  for (int i = 0; i < 5000; ++i) append_file(path, rec("line " + std::to_string(i)));
  int sends = 0;
  LogCallbacks cb;
  cb.sink = [&](std::string_view) { return ++sends < 2; };
  cb.writer_active = [] { return true; };
  cb.cancelled = [] { return false; };
  REQUIRE(stream_log(path, fast(true), cb).ok());  // would never end if the refusal were ignored
  CHECK(sends == 2);
}
