// Unit tests: cutting a byte stream into CRI records.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "runtime/logs/line_splitter.h"

using namespace nodeagent::runtime::logs;

namespace {
using Records = std::vector<std::pair<std::string, bool>>;  // content, partial

struct Collector {
  Records records;
  LineSplitter::Emit emit() {
    return [this](std::string_view content, bool partial) { records.emplace_back(std::string(content), partial); };
  }
};
}  // namespace

TEST_CASE("lines split on newlines, across chunk boundaries, CR LF trimmed") {
  LineSplitter splitter;
  Collector c;
  splitter.feed("one\ntw", c.emit());
  CHECK(c.records == Records{{"one", false}});
  splitter.feed("o\r\n\nthr", c.emit());
  splitter.feed("ee\n", c.emit());
  CHECK(c.records == Records{{"one", false}, {"two", false}, {"", false}, {"three", false}});
  CHECK(splitter.pending_bytes() == 0);
}

TEST_CASE("a line longer than the maximum becomes partial records then a full one") {
  LineSplitter splitter(4);
  Collector c;
  splitter.feed("abcdefghij\n", c.emit());
  CHECK(c.records == Records{{"abcd", true}, {"efgh", true}, {"ij", false}});

  Collector exact;
  splitter.feed("abcd\n", exact.emit());
  CHECK(exact.records == Records{{"abcd", false}});
}

TEST_CASE("a long line without newline goes out in pieces; the rest at end of stream") {
  LineSplitter splitter(4);
  Collector c;
  splitter.feed("abcdef", c.emit());
  splitter.feed("gh", c.emit());
  splitter.feed("ij", c.emit());
  CHECK(c.records == Records{{"abcd", true}, {"efgh", true}});
  CHECK(splitter.pending_bytes() == 2);
  splitter.finish(c.emit());
  CHECK(c.records == Records{{"abcd", true}, {"efgh", true}, {"ij", false}});
  splitter.finish(c.emit());  // nothing more
  CHECK(c.records.size() == 3);
}

TEST_CASE("default maximum is containerd's 16 KiB") {
  LineSplitter splitter;
  Collector c;
  splitter.feed(std::string(16 * 1024 + 1, 'x') + "\n", c.emit());
  REQUIRE(c.records.size() == 2);
  CHECK(c.records[0].first.size() == 16 * 1024);
  CHECK(c.records[0].second);
  CHECK(c.records[1] == std::make_pair(std::string("x"), false));
}
