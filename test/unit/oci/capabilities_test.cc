// Capability add/drop rules, checked against what the CRI plugin produces for the same input.
#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/oci/capabilities.h"

using nodeagent::ErrorCode;
using nodeagent::runtime::SecurityConfig;
using namespace nodeagent::runtime::oci;

namespace {
bool has(const std::vector<std::string>& caps, const std::string& c) {
  return std::find(caps.begin(), caps.end(), c) != caps.end();
}
}  // namespace

TEST_CASE("capability names are normalised with or without CAP_ prefix", "[oci]") {
  CHECK(normalize_capability("net_admin").value() == "CAP_NET_ADMIN");
  CHECK(normalize_capability("NET_ADMIN").value() == "CAP_NET_ADMIN");
  CHECK(normalize_capability("CAP_NET_ADMIN").value() == "CAP_NET_ADMIN");
  CHECK(normalize_capability("all").value() == "ALL");
  auto bad = normalize_capability("NET_WIZARD");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalid);
  CHECK(bad.error().message.find("NET_WIZARD") != std::string::npos);
}

TEST_CASE("default capability set is Docker's 14", "[oci]") {
  auto caps = compute_capabilities(SecurityConfig{}).value();
  CHECK(caps.size() == 14);
  for (const auto& c : default_capabilities()) CHECK(has(caps, c));
  CHECK_FALSE(has(caps, "CAP_SYS_ADMIN"));
  CHECK_FALSE(has(caps, "CAP_NET_ADMIN"));
  CHECK(all_capabilities().size() == 41);
  CHECK(all_capabilities().front() == "CAP_CHOWN");
  CHECK(all_capabilities().back() == "CAP_CHECKPOINT_RESTORE");
}

TEST_CASE("add and drop individual capabilities", "[oci]") {
  SecurityConfig s;
  s.capabilities_add = {"NET_ADMIN", "CAP_SYS_TIME"};
  s.capabilities_drop = {"chown", "CAP_KILL"};
  auto caps = compute_capabilities(s).value();
  CHECK(has(caps, "CAP_NET_ADMIN"));
  CHECK(has(caps, "CAP_SYS_TIME"));
  CHECK_FALSE(has(caps, "CAP_CHOWN"));
  CHECK_FALSE(has(caps, "CAP_KILL"));
  CHECK(caps.size() == 14);
}

TEST_CASE("drop ALL then add one leaves only that one", "[oci]") {
  SecurityConfig s;
  s.capabilities_drop = {"ALL"};
  s.capabilities_add = {"NET_BIND_SERVICE"};
  CHECK(compute_capabilities(s).value() == std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
}

TEST_CASE("add ALL then drop one is everything but that one", "[oci]") {
  SecurityConfig s;
  s.capabilities_add = {"ALL"};
  s.capabilities_drop = {"SYS_ADMIN"};
  auto caps = compute_capabilities(s).value();
  CHECK(caps.size() == all_capabilities().size() - 1);
  CHECK_FALSE(has(caps, "CAP_SYS_ADMIN"));
}

TEST_CASE("privileged gets every capability regardless of drops", "[oci]") {
  SecurityConfig s;
  s.privileged = true;
  s.capabilities_drop = {"ALL"};
  CHECK(compute_capabilities(s).value() == all_capabilities());
}

TEST_CASE("an unknown capability names the field and index", "[oci]") {
  SecurityConfig s;
  s.capabilities_add = {"NET_ADMIN", "BOGUS"};
  auto caps = compute_capabilities(s);
  REQUIRE_FALSE(caps.ok());
  CHECK(caps.error().message.find("capabilities.add[1]") != std::string::npos);
}

TEST_CASE("\"all\" means the capabilities the agent holds when given", "[oci]") {
  // This node's agent lacks CAP_SYS_RESOURCE (bit 24): runc could not grant it.
  auto available = capabilities_from_mask(0x000001fffeffffffULL);
  CHECK(available.size() == 40);
  CHECK_FALSE(has(available, "CAP_SYS_RESOURCE"));
  CHECK(has(available, "CAP_CHECKPOINT_RESTORE"));
  SecurityConfig priv;
  priv.privileged = true;
  CHECK(compute_capabilities(priv, available).value() == available);
  SecurityConfig add_all;
  add_all.capabilities_add = {"ALL"};
  CHECK(compute_capabilities(add_all, available).value() == available);
  CHECK(capabilities_from_mask(0xa80425fbULL).size() == 14);
}
