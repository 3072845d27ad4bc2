// YAML 1.1 scalar rules (as Kubernetes reads manifests), multi-document files, JSON input and
// YAML output.
#include <catch2/catch.hpp>

#include "kube/yaml.h"

using namespace nodeagent::kube;
using nlohmann::json;

namespace {

json parse_one(const std::string& text) {
  auto docs = parse_documents(text);
  if (!docs.ok()) FAIL(docs.error().message);
  REQUIRE(docs->size() == 1);
  return (*docs)[0];
}

}  // namespace

TEST_CASE("plain scalars resolve with YAML 1.1 rules", "[yaml]") {
  json doc = parse_one(R"(
octal: 0400
octal_o: 0o400
hex: 0x1F
binary: 0b101
decimal: 420
underscore: 1_000
negative: -17
plus: +5
not_octal: 08
exponent: 1e3
float: 1.5
dot_float: .5
yes_: yes
No_: No
on_: on
OFF_: OFF
y_: y
n_: n
true_: True
tilde: ~
null_word: null
empty:
date: 2001-12-14
version: 1.2.3
word: hello
)");
  CHECK(doc["octal"] == 256);
  CHECK(doc["octal_o"] == 256);
  CHECK(doc["hex"] == 31);
  CHECK(doc["binary"] == 5);
  CHECK(doc["decimal"] == 420);
  CHECK(doc["underscore"] == 1000);
  CHECK(doc["negative"] == -17);
  CHECK(doc["plus"] == 5);
  CHECK(doc["not_octal"] == 8);  // invalid octal falls through to a float, integral -> 8
  CHECK(doc["exponent"].is_number_integer());
  CHECK(doc["exponent"] == 1000);
  CHECK(doc["float"].is_number_float());
  CHECK(doc["float"] == 1.5);
  CHECK(doc["dot_float"] == 0.5);
  CHECK(doc["yes_"] == true);
  CHECK(doc["No_"] == false);
  CHECK(doc["on_"] == true);
  CHECK(doc["OFF_"] == false);
  CHECK(doc["y_"] == true);
  CHECK(doc["n_"] == false);
  CHECK(doc["true_"] == true);
  CHECK(doc["tilde"].is_null());
  CHECK(doc["null_word"].is_null());
  CHECK(doc["empty"].is_null());
  CHECK(doc["date"] == "2001-12-14");  // timestamps stay strings, as go-yaml v2 into interface{}
  CHECK(doc["version"] == "1.2.3");
  CHECK(doc["word"] == "hello");
}

TEST_CASE("quoted and explicitly tagged scalars stay strings", "[yaml]") {
  json doc = parse_one(R"(
a: "0400"
b: 'yes'
c: "~"
d: !!str 123
e: "1e3"
f: !!int "12"
)");
  CHECK(doc["a"] == "0400");
  CHECK(doc["b"] == "yes");
  CHECK(doc["c"] == "~");
  CHECK(doc["d"] == "123");
  CHECK(doc["e"] == "1e3");
  CHECK(doc["f"] == 12);
}

TEST_CASE("non-string keys become strings", "[yaml]") {
  json doc = parse_one("1: a\ntrue: b\n0400: c\nn: d\n");
  CHECK(doc["1"] == "a");
  CHECK(doc["true"] == "b");
  CHECK(doc["256"] == "c");
  CHECK(doc["false"] == "d");  // YAML 1.1: the key `n` is the boolean false
}

TEST_CASE("multi-document files skip empty documents", "[yaml]") {
  auto docs = parse_documents("---\na: 1\n---\n# only a comment\n---\nb: 2\n---\n");
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[0]["a"] == 1);
  CHECK((*docs)[1]["b"] == 2);
}

TEST_CASE("JSON text is parsed as JSON", "[yaml]") {
  json doc = parse_one(R"(  {"mode": "0400", "n": 400.5, "list": [1, "x"]})");
  CHECK(doc["mode"] == "0400");
  CHECK(doc["list"][1] == "x");
}

TEST_CASE("syntax errors report line and column", "[yaml]") {
  auto docs = parse_documents("a: 1\nb: [1, 2\nc: 3\n");
  REQUIRE_FALSE(docs.ok());
  CHECK(docs.error().message.rfind("invalid YAML: line ", 0) == 0);
  auto bad_json = parse_documents("{\"a\": }");
  REQUIRE_FALSE(bad_json.ok());
  CHECK(bad_json.error().message.rfind("invalid JSON: ", 0) == 0);
}

TEST_CASE("to_yaml quotes strings that YAML 1.1 would read as something else", "[yaml]") {
  json value = {{"octal", "0400"}, {"bool", "yes"}, {"on", "on"}, {"empty", ""}, {"num", "1.5"},
                {"null", "~"},     {"plain", "web"}, {"int", 7},    {"flag", true}, {"list", {"a", "0x10"}},
                {"nested", {{"k", "v"}}}, {"nothing", nullptr}, {"multi", "line1\nline2\n"},
                {"empty_obj", json::object()}, {"empty_list", json::array()}};
  std::string text = to_yaml(value);
  CHECK(text.find("octal: '0400'") != std::string::npos);
  CHECK(text.find("plain: web") != std::string::npos);
  auto back = parse_documents(text);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 1);
  CHECK((*back)[0] == value);
}
