// WWW-Authenticate challenge parsing, with the headers real registries send.
#include <catch2/catch.hpp>

#include "runtime/images/www_authenticate.h"

using nodeagent::runtime::images::parse_www_authenticate;

TEST_CASE("Docker Hub bearer challenge", "[images][auth]") {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].params.at("realm") == "https://auth.docker.io/token");
  CHECK(c[0].params.at("service") == "registry.docker.io");
  CHECK(c[0].params.at("scope") == "repository:library/busybox:pull");
}

TEST_CASE("basic challenge, case, spacing, escapes and several challenges", "[images][auth]") {
  auto c = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].params.at("realm") == "Registry Realm");

  auto many = parse_www_authenticate(R"(BEARER Realm = "https://a/t" , Service=reg, error="insufficient_scope", Basic realm="x\"y")");
  REQUIRE(many.size() == 2);
  CHECK(many[0].scheme == "bearer");
  CHECK(many[0].params.at("realm") == "https://a/t");
  CHECK(many[0].params.at("service") == "reg");
  CHECK(many[0].params.at("error") == "insufficient_scope");
  CHECK(many[1].scheme == "basic");
  CHECK(many[1].params.at("realm") == "x\"y");

  CHECK(parse_www_authenticate("").empty());
  auto bare = parse_www_authenticate("Negotiate");
  REQUIRE(bare.size() == 1);
  CHECK(bare[0].params.empty());
}
