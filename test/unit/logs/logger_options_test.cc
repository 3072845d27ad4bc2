// Unit tests: nodeagent-logger arguments as containerd's shim passes them.
#include <catch2/catch.hpp>

#include "runtime/logs/logger_options.h"

using namespace nodeagent::runtime::logs;

TEST_CASE("logger args come as key value pairs in any order") {
  auto options = parse_logger_args({"max-files", "3", "path", "/var/log/pods/x/c/0.log", "max-size", "10Mi"});
  REQUIRE(options.ok());
  CHECK(options->path == "/var/log/pods/x/c/0.log");
  CHECK(options->rotation.max_size == 10 * 1024 * 1024);
  CHECK(options->rotation.max_files == 3);

  auto dashed = parse_logger_args({"--path=/l/0.log", "--max-size", "2048"});
  REQUIRE(dashed.ok());
  CHECK(dashed->path == "/l/0.log");
  CHECK(dashed->rotation.max_size == 2048);
  CHECK(dashed->rotation.max_files == 5);
}

TEST_CASE("logger args are checked and errors name the argument") {
  CHECK(parse_logger_args({}).error().message.find("path") != std::string::npos);
  CHECK(parse_logger_args({"path", "relative.log"}).error().message.find("absolute") != std::string::npos);
  CHECK(parse_logger_args({"path", "/x", "max-size", "ten"}).error().message.find("max-size") != std::string::npos);
  CHECK(parse_logger_args({"path", "/x", "max-files", "0"}).error().message.find("max-files") != std::string::npos);
  CHECK(parse_logger_args({"path", "/x", "colour", "red"}).error().message.find("colour") != std::string::npos);
  CHECK(parse_logger_args({"path"}).error().message.find("no value") != std::string::npos);
  CHECK(*parse_size("1Gi") == (int64_t{1} << 30));
  CHECK(*parse_size("5k") == 5000);
  CHECK_FALSE(parse_size("5Q").ok());
}
