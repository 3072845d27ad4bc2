#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "network/ipam/ipam.h"
#include "test/support/temp_dir.h"

using namespace nodeagent;
using namespace nodeagent::network;
namespace fs = std::filesystem;
using nodeagent::testing::TempDir;

namespace {
std::unique_ptr<Ipam> open_ipam(const TempDir& dir, const char* cidr) {
  auto ipam = Ipam::open(dir.path(), *Ipv4Cidr::parse(cidr));
  REQUIRE(ipam.ok());
  return std::move(ipam).value();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("Ipam allocates one IP per pod, idempotently, and persists it as one file per IP") {
  TempDir dir("na-ipam-test");
  auto range = *Ipv4Cidr::parse("10.244.1.0/24");
  auto ipam = Ipam::open(dir.path(), range);
  REQUIRE(ipam.ok());
  auto a = (*ipam)->allocate("uid-a");
  REQUIRE(a.ok());
  CHECK(a->str() == "10.244.1.2");
  CHECK((*ipam)->allocate("uid-a")->str() == "10.244.1.2");
  CHECK((*ipam)->allocate("uid-b")->str() == "10.244.1.3");
  CHECK(read_file(dir / "10.244.1.2") == "uid-a\n");
  CHECK(read_file(dir / "10.244.1.3") == "uid-b\n");
  CHECK((*ipam)->lookup("uid-b")->str() == "10.244.1.3");
  CHECK_FALSE((*ipam)->lookup("uid-c").has_value());
}

TEST_CASE("Ipam: a new instance on the same dir keeps every allocation (agent restart)") {
  TempDir dir("na-ipam-test");
  {
    auto ipam = open_ipam(dir, "10.244.1.0/24");
    REQUIRE(ipam->allocate("uid-a").ok());
    REQUIRE(ipam->allocate("uid-b").ok());
    REQUIRE(ipam->release("uid-a").ok());
  }
  auto reopened = open_ipam(dir, "10.244.1.0/24");
  CHECK(reopened->lookup("uid-b")->str() == "10.244.1.3");
  CHECK_FALSE(reopened->lookup("uid-a").has_value());
  // Round-robin survives too: the next IP is after .3, not the just-released .2.
  CHECK(reopened->allocate("uid-c")->str() == "10.244.1.4");
  CHECK(reopened->allocations().size() == 2);
}

TEST_CASE("Ipam never hands out an IP whose file another process created meanwhile") {
  TempDir dir("na-ipam-test");
  auto first = open_ipam(dir, "10.244.1.0/24");
  auto second = open_ipam(dir, "10.244.1.0/24");  // its index does not know about .2 yet
  CHECK(first->allocate("uid-a")->str() == "10.244.1.2");
  CHECK(second->allocate("uid-b")->str() == "10.244.1.3");
  CHECK(second->allocations().at(*Ipv4::parse("10.244.1.2")) == "uid-a");
}

TEST_CASE("Ipam reports exhaustion with the range in the message") {
  TempDir dir("na-ipam-test");
  auto ipam = open_ipam(dir, "10.244.1.0/30");  // one usable: .2
  CHECK(ipam->allocate("uid-a")->str() == "10.244.1.2");
  auto none = ipam->allocate("uid-b");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::kFailedPrecondition);
  CHECK(none.error().message == "no free IP in 10.244.1.0/30");
  REQUIRE(ipam->release("uid-a").ok());
  CHECK(ipam->allocate("uid-b")->str() == "10.244.1.2");
}

TEST_CASE("Ipam garbage-collects IPs of pods that are gone, including ownerless leftovers") {
  TempDir dir("na-ipam-test");
  {
    auto ipam = open_ipam(dir, "10.244.1.0/24");
    for (const char* uid : {"uid-a", "uid-b", "uid-c"}) REQUIRE(ipam->allocate(uid).ok());
  }
  std::ofstream(dir / "10.244.1.50").close();  // torn write: empty owner
  std::ofstream(dir / "10.244.1.51.tmp.123") << "junk";  // crash between write and link
  auto ipam = open_ipam(dir, "10.244.1.0/24");
  CHECK_FALSE(fs::exists(dir / "10.244.1.51.tmp.123"));
  auto released = ipam->release_all_except({"uid-b"});
  REQUIRE(released.ok());
  CHECK(released->size() == 3);
  CHECK(ipam->allocations().size() == 1);
  CHECK(ipam->lookup("uid-b").has_value());
  CHECK_FALSE(fs::exists(dir / "10.244.1.2"));
  CHECK_FALSE(fs::exists(dir / "10.244.1.50"));
  CHECK(fs::exists(dir / "10.244.1.3"));
}

TEST_CASE("Ipam keeps and releases allocations outside a changed range, without reusing them") {
  TempDir dir("na-ipam-test");
  {
    auto old_range = open_ipam(dir, "10.244.1.0/24");
    REQUIRE(old_range->allocate("uid-a").ok());
  }
  auto ipam = open_ipam(dir, "10.244.2.0/24");
  CHECK(ipam->lookup("uid-a")->str() == "10.244.1.2");
  CHECK(ipam->allocate("uid-b")->str() == "10.244.2.2");
  CHECK(ipam->allocate("uid-a")->str() == "10.244.2.3");  // re-addressed into the new range
  CHECK(ipam->lookup("uid-a")->str() == "10.244.2.3");
  REQUIRE(ipam->release("uid-a").ok());                    // releases both of its IPs
  CHECK_FALSE(fs::exists(dir / "10.244.1.2"));
  CHECK_FALSE(fs::exists(dir / "10.244.2.3"));
}

TEST_CASE("Ipam: the last IP handed out is rewritten in place and read back after a wrap-around") {
  TempDir dir("na-ipam-test");
  std::ofstream(dir / "last_reserved_ip.0") << "10.244.1.253\n";
  {
    auto ipam = open_ipam(dir, "10.244.1.0/24");
    CHECK(ipam->allocate("uid-a")->str() == "10.244.1.254");
    CHECK(ipam->allocate("uid-b")->str() == "10.244.1.2");  // wrapped: a shorter value over a longer one
  }
  CHECK(read_file(dir / "last_reserved_ip.0").rfind("10.244.1.2\n", 0) == 0);
  auto reopened = open_ipam(dir, "10.244.1.0/24");
  CHECK(reopened->allocate("uid-c")->str() == "10.244.1.3");
}
