// Reference normalisation must match docker/containerd, since image names are what pods carry.
#include <catch2/catch.hpp>

#include "runtime/images/reference.h"

using nodeagent::ErrorCode;
using nodeagent::runtime::images::parse_reference;

namespace {
std::string norm(const std::string& ref) {
  auto r = parse_reference(ref);
  REQUIRE(r.ok());
  return r->str();
}
}  // namespace

TEST_CASE("short names get docker.io, library/ and latest", "[images][reference]") {
  CHECK(norm("busybox") == "docker.io/library/busybox:latest");
  CHECK(norm("busybox:1.36") == "docker.io/library/busybox:1.36");
  CHECK(norm("user/app") == "docker.io/user/app:latest");
  CHECK(norm("docker.io/busybox") == "docker.io/library/busybox:latest");
  CHECK(norm("index.docker.io/library/busybox:1") == "docker.io/library/busybox:1");
}

TEST_CASE("registry domains with ports, localhost and dots", "[images][reference]") {
  auto r = parse_reference("127.0.0.1:5000/x:tag");
  REQUIRE(r.ok());
  CHECK(r->domain == "127.0.0.1:5000");
  CHECK(r->path == "x");
  CHECK(r->tag == "tag");
  CHECK(r->str() == "127.0.0.1:5000/x:tag");
  CHECK(norm("localhost/app") == "localhost/app:latest");
  CHECK(norm("localhost:5000/a/b/c") == "localhost:5000/a/b/c:latest");
  CHECK(norm("registry.k8s.io/pause:3.9") == "registry.k8s.io/pause:3.9");
  // A first component without '.', ':' or "localhost" is a path, not a registry.
  CHECK(norm("myregistry/app") == "docker.io/myregistry/app:latest");
  // A port-looking ':' before the last '/' is not a tag.
  auto p = parse_reference("127.0.0.1:5000/x");
  REQUIRE(p.ok());
  CHECK(p->tag == "latest");
}

TEST_CASE("digests, with and without tag", "[images][reference]") {
  const std::string d = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
  auto r = parse_reference("busybox@" + d);
  REQUIRE(r.ok());
  CHECK(r->tag.empty());
  CHECK(r->digest == d);
  CHECK(r->str() == "docker.io/library/busybox@" + d);
  CHECK(r->manifest_reference() == d);
  CHECK(norm("127.0.0.1:5000/x:v1@" + d) == "127.0.0.1:5000/x:v1@" + d);
  CHECK(parse_reference("busybox:v1")->manifest_reference() == "v1");
}

TEST_CASE("malformed references are kInvalid with a reason", "[images][reference]") {
  for (const char* bad : {"", "Busybox", "busybox:", "busybox@sha256:abc", "busybox@md5:0123",
                          "a//b", "-a", "busybox:tag with space", "127.0.0.1:5000/"}) {
    INFO(bad);
    auto r = parse_reference(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalid);
    CHECK(r.error().message.find("image reference") != std::string::npos);
  }
  CHECK(parse_reference("docker.io/Library/busybox").error().message.find("lowercase") != std::string::npos);
}
