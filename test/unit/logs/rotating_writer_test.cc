// Unit tests: size-based rotation of the log file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "runtime/logs/rotating_writer.h"
#include "temp_dir.h"

using namespace nodeagent::runtime::logs;

TEST_CASE("rotating writer keeps max_files files and never splits a record") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  {
    RotatingWriter writer(path, {.max_size = 25, .max_files = 3});
    REQUIRE(writer.open().ok());
    for (int i = 0; i < 10; ++i) REQUIRE(writer.append("record-" + std::to_string(i) + "\n").ok());  // 9 bytes each
    REQUIRE(writer.flush().ok());
    CHECK(writer.rotations() == 4);  // 2 records per file: 10 records -> 5 files, 4 rotations
  }
  CHECK(slurp(path) == "record-8\nrecord-9\n");
  CHECK(slurp(path + ".1") == "record-6\nrecord-7\n");
  CHECK(slurp(path + ".2") == "record-4\nrecord-5\n");
  CHECK(::access((path + ".3").c_str(), F_OK) != 0);
  CHECK(rotated_name(path, 0) == path);
  CHECK(rotated_name(path, 2) == path + ".2");
}

TEST_CASE("rotating writer appends to an existing file and counts its size") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  {
    RotatingWriter writer(path, {.max_size = 20, .max_files = 2});
    REQUIRE(writer.open().ok());
    REQUIRE(writer.append("0123456789\n").ok());
  }
  RotatingWriter again(path, {.max_size = 20, .max_files = 2});
  REQUIRE(again.open().ok());
  REQUIRE(again.append("abcdefghij\n").ok());  // 11 + 11 > 20: rotates first
  REQUIRE(again.flush().ok());
  CHECK(slurp(path + ".1") == "0123456789\n");
  CHECK(slurp(path) == "abcdefghij\n");
}

TEST_CASE("max_files 1 keeps only the current file; a record bigger than max_size still goes in whole") {
  TempDir dir;
  const std::string path = dir.file("0.log");
  RotatingWriter writer(path, {.max_size = 5, .max_files = 1});
  REQUIRE(writer.open().ok());
  REQUIRE(writer.append("first-record\n").ok());
  REQUIRE(writer.append("second-record\n").ok());
  REQUIRE(writer.flush().ok());
  CHECK(slurp(path) == "second-record\n");
  CHECK(::access((path + ".1").c_str(), F_OK) != 0);
}
