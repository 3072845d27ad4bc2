// Tests of CRI log record parsing, partial-line joining and the tail buffer.
#include <catch2/catch.hpp>

#include "agent/api/cri_log.h"

using namespace nodeagent::api;

TEST_CASE("parse_cri_line splits timestamp, stream, tag and content") {
  auto l = parse_cri_line("2024-05-01T10:00:00.123456789Z stdout F hello world");
  REQUIRE(l);
  CHECK(l->timestamp == "2024-05-01T10:00:00.123456789Z");
  CHECK(l->stream == "stdout");
  CHECK_FALSE(l->partial);
  CHECK(l->content == "hello world");

  auto p = parse_cri_line("2024-05-01T10:00:00Z stderr P part");
  REQUIRE(p);
  CHECK(p->partial);
  CHECK(p->stream == "stderr");

  auto empty = parse_cri_line("2024-05-01T10:00:00Z stdout F");
  REQUIRE(empty);
  CHECK(empty->content.empty());
  auto spaces = parse_cri_line("2024-05-01T10:00:00Z stdout F   indented");
  REQUIRE(spaces);
  CHECK(spaces->content == "  indented");

  CHECK_FALSE(parse_cri_line("just some text"));
  CHECK_FALSE(parse_cri_line("2024-05-01T10:00:00Z stdin F x"));
  CHECK_FALSE(parse_cri_line("2024-05-01T10:00:00Z stdout X x"));
  CHECK_FALSE(parse_cri_line(""));
}

TEST_CASE("the formatter strips the prefix and joins partial lines") {
  CriLogFormatter f(false);
  CHECK(f.feed("2024-05-01T10:00:00Z stdout F one") == std::optional<std::string>("one\n"));
  CHECK_FALSE(f.feed("2024-05-01T10:00:01Z stdout P a long "));
  CHECK_FALSE(f.feed("2024-05-01T10:00:02Z stdout P line in "));
  CHECK(f.feed("2024-05-01T10:00:03Z stdout F three parts") == std::optional<std::string>("a long line in three parts\n"));
  CHECK_FALSE(f.flush());
}

TEST_CASE("with timestamps, a joined line carries its first fragment's time") {
  CriLogFormatter f(true);
  CHECK(f.feed("2024-05-01T10:00:00Z stderr F err") == std::optional<std::string>("2024-05-01T10:00:00Z err\n"));
  CHECK_FALSE(f.feed("2024-05-01T10:00:01Z stdout P ab"));
  CHECK(f.feed("2024-05-01T10:00:02Z stdout F cd") == std::optional<std::string>("2024-05-01T10:00:01Z abcd\n"));
}

TEST_CASE("a pending partial line is flushed at the end, foreign lines pass through") {
  CriLogFormatter f(false);
  CHECK_FALSE(f.feed("2024-05-01T10:00:00Z stdout P unfinished"));
  CHECK(f.flush() == std::optional<std::string>("unfinished\n"));
  CHECK(f.feed("not cri at all") == std::optional<std::string>("not cri at all\n"));
  CHECK_FALSE(f.feed("2024-05-01T10:00:00Z stdout P x"));
  CHECK(f.feed("plain") == std::optional<std::string>("x\nplain\n"));
}

TEST_CASE("TailBuffer keeps the last N lines") {
  TailBuffer all(-1), two(2), none(0);
  for (const char* l : {"a\n", "b\n", "c\n"}) {
    all.push(l);
    two.push(l);
    none.push(l);
  }
  CHECK(all.join() == "a\nb\nc\n");
  CHECK(two.join() == "b\nc\n");
  CHECK(none.join().empty());
}
