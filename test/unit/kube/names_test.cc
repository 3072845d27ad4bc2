// Name validators against upstream's accept/reject examples.
#include <catch2/catch.hpp>

#include "kube/names.h"

using namespace nodeagent::kube;

TEST_CASE("DNS-1123 labels, subdomains and DNS-1035 labels", "[names]") {
  for (const char* ok : {"a", "web", "web-1", "1web", "a-b-c", "0"}) {
    INFO(ok);
    CHECK(is_dns1123_label(ok).empty());
  }
  for (const char* bad : {"", "-a", "a-", "A", "a_b", "a.b", "web!"}) {
    INFO(bad);
    CHECK_FALSE(is_dns1123_label(bad).empty());
  }
  CHECK(is_dns1123_label(std::string(63, 'a')).empty());
  CHECK(is_dns1123_label(std::string(64, 'a')) == Messages{"must be no more than 63 characters"});

  for (const char* ok : {"a", "example.com", "a.b-c.d", "web-node-1"}) {
    INFO(ok);
    CHECK(is_dns1123_subdomain(ok).empty());
  }
  for (const char* bad : {"", ".a", "a.", "a..b", "A.com", "a_b.com", "-a.b"}) {
    INFO(bad);
    CHECK_FALSE(is_dns1123_subdomain(bad).empty());
  }
  CHECK(is_dns1035_label("web-1").empty());
  CHECK_FALSE(is_dns1035_label("1web").empty());
}

TEST_CASE("port names (IANA_SVC_NAME) and numbers", "[names]") {
  CHECK(is_valid_port_name("http").empty());
  CHECK(is_valid_port_name("h2c-8080").empty());
  CHECK(is_valid_port_name("a--b") == Messages{"must not contain consecutive hyphens"});
  CHECK(is_valid_port_name("-http") == Messages{"must not begin or end with a hyphen"});
  CHECK(is_valid_port_name("HTTP") == Messages{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                                                "must contain at least one letter (a-z)"});
  CHECK(is_valid_port_num(1).empty());
  CHECK(is_valid_port_num(65535).empty());
  CHECK(is_valid_port_num(0) == Messages{"must be between 1 and 65535, inclusive"});
  CHECK_FALSE(is_valid_port_num(65536).empty());
}

TEST_CASE("label keys and values", "[names]") {
  for (const char* ok : {"app", "app.kubernetes.io/name", "example.com/My_Key-1", "a"}) {
    INFO(ok);
    CHECK(is_qualified_name(ok).empty());
  }
  CHECK(is_qualified_name("/app") == Messages{"prefix part must be non-empty"});
  CHECK(is_qualified_name("Example.com/app") ==
        Messages{"prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
                 "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"});
  CHECK_FALSE(is_qualified_name("example.com/").empty());
  CHECK_FALSE(is_qualified_name("a/b/c").empty());
  CHECK_FALSE(is_qualified_name("_app").empty());
  CHECK(is_valid_label_value("").empty());
  CHECK(is_valid_label_value("v1.2_beta-3").empty());
  CHECK_FALSE(is_valid_label_value("v1 ").empty());
  CHECK_FALSE(is_valid_label_value(std::string(64, 'a')).empty());
}

TEST_CASE("env var names: relaxed (current upstream) and strict", "[names]") {
  for (const char* ok : {"PATH", "data-1", "a.b", "1ABC", "with space", "x:y"}) {
    INFO(ok);
    CHECK(is_relaxed_env_var_name(ok).empty());
  }
  CHECK_FALSE(is_relaxed_env_var_name("A=B").empty());
  CHECK_FALSE(is_relaxed_env_var_name("tab\there").empty());
  CHECK_FALSE(is_relaxed_env_var_name("").empty());
  CHECK(is_env_var_name("data-1").empty());
  CHECK_FALSE(is_env_var_name("1ABC").empty());
  CHECK_FALSE(is_env_var_name("..x").empty());
}

TEST_CASE("config map keys, IPs and ids", "[names]") {
  CHECK(is_config_map_key("app.conf").empty());
  CHECK_FALSE(is_config_map_key("a/b").empty());
  CHECK(is_config_map_key("..data") == Messages{"must not start with '..'"});
  CHECK(is_valid_ip("10.0.0.1").empty());
  CHECK(is_valid_ip("fd00::1").empty());
  CHECK_FALSE(is_valid_ip("10.0.0.256").empty());
  CHECK_FALSE(is_valid_ip("").empty());
  CHECK(is_valid_user_id(0).empty());
  CHECK_FALSE(is_valid_user_id(-1).empty());
  CHECK_FALSE(is_valid_user_id(2147483648LL).empty());
}
