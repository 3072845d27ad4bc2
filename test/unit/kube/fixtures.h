// Test helpers: read a manifest from test/fixtures/manifests and decode it, failing loudly.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "kube/decode.h"

namespace nodeagent::kube::testing {

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(KUBE_FIXTURES) + "/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Pod decode_pod_text(const std::string& text) {
  auto objects = decode_manifests(text);
  if (!objects.ok()) FAIL(objects.error().message);
  REQUIRE(objects->size() == 1);
  REQUIRE(std::holds_alternative<Pod>((*objects)[0].object));
  return std::get<Pod>((*objects)[0].object);
}

inline Pod load_pod(const std::string& fixture) { return decode_pod_text(read_fixture(fixture)); }

}  // namespace nodeagent::kube::testing
