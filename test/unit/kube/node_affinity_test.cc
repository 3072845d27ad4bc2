// Required node placement: nodeSelector and requiredDuringSchedulingIgnoredDuringExecution, read
// from the raw affinity JSON, validated with the API server's field errors, matched as the
// scheduler's NodeAffinity filter (which kubelet's admission runs too). And the node's own labels.
#include <catch2/catch.hpp>

#include "kube/node_affinity.h"
#include "kube/node_labels.h"
#include "kube/validation.h"

using namespace nodeagent::kube;

namespace {

const NodeIdentity kNode{"node-1", {{"kubernetes.io/hostname", "node-1"}, {"kubernetes.io/os", "linux"},
                                    {"disk", "ssd"}, {"cores", "8"}}};

Pod pod_with_affinity(const std::string& affinity) {
  Pod p;
  p.metadata.name = "p";
  p.metadata.namespace_ = "default";
  p.spec.affinity = affinity;
  return p;
}

std::string required(const std::string& terms) {
  return R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":)" + terms + "}}}";
}

bool matches(const std::string& terms) { return matches_node_selector_and_affinity(pod_with_affinity(required(terms)), kNode); }

}  // namespace

TEST_CASE("nodeSelector: every pair must be a node label") {
  Pod p;
  CHECK(matches_node_selector_and_affinity(p, kNode));
  p.spec.node_selector = {{"disk", "ssd"}, {"kubernetes.io/os", "linux"}};
  CHECK(matches_node_selector_and_affinity(p, kNode));
  p.spec.node_selector = {{"hostname", "node-1"}};
  CHECK_FALSE(matches_node_selector_and_affinity(p, kNode));
  p.spec.node_selector = {{"disk", "hdd"}};
  CHECK_FALSE(matches_node_selector_and_affinity(p, kNode));
}

TEST_CASE("required node affinity: terms are ORed, requirements ANDed, every operator") {
  CHECK(matches(R"([{"matchExpressions":[{"key":"disk","operator":"In","values":["hdd","ssd"]}]}])"));
  CHECK_FALSE(matches(R"([{"matchExpressions":[{"key":"disk","operator":"NotIn","values":["ssd"]}]}])"));
  CHECK(matches(R"([{"matchExpressions":[{"key":"gpu","operator":"NotIn","values":["yes"]}]}])"));  // absent label
  CHECK(matches(R"([{"matchExpressions":[{"key":"disk","operator":"Exists"}]}])"));
  CHECK_FALSE(matches(R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}])"));
  CHECK(matches(R"([{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"}]}])"));
  CHECK(matches(R"([{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}])"));
  CHECK_FALSE(matches(R"([{"matchExpressions":[{"key":"cores","operator":"Lt","values":["4"]}]}])"));
  CHECK_FALSE(matches(R"([{"matchExpressions":[{"key":"disk","operator":"Gt","values":["4"]}]}])"));  // not a number
  // AND within a term, OR across terms.
  CHECK_FALSE(matches(R"([{"matchExpressions":[{"key":"disk","operator":"Exists"},{"key":"gpu","operator":"Exists"}]}])"));
  CHECK(matches(R"([{"matchExpressions":[{"key":"gpu","operator":"Exists"}]},{"matchExpressions":[{"key":"disk","operator":"Exists"}]}])"));
  // matchFields on the node's name.
  CHECK(matches(R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-1"]}]}])"));
  CHECK_FALSE(matches(R"([{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-2"]}]}])"));
  // An empty term selects nothing.
  CHECK_FALSE(matches(R"([{}])"));
  // Only the required part counts.
  CHECK(matches_node_selector_and_affinity(
      pod_with_affinity(R"({"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}}]}})"),
      kNode));
}

TEST_CASE("bad node affinity is a field error naming the field, and matches nothing") {
  auto errors_of = [](const std::string& terms) {
    std::vector<std::string> out;
    for (const auto& e : parse_required_node_affinity(required(terms)).errors) out.push_back(e.to_string());
    return out;
  };
  const std::string base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  CHECK(errors_of("[]") == std::vector<std::string>{base + ": Required value: must have at least one node selector term"});
  CHECK(errors_of(R"([{"matchExpressions":[{"key":"disk","operator":"Near","values":["x"]}]}])") ==
        std::vector<std::string>{base + "[0].matchExpressions[0].operator: Unsupported value: \"Near\": supported values: "
                                        "\"DoesNotExist\", \"Exists\", \"Gt\", \"In\", \"Lt\", \"NotIn\""});
  CHECK(errors_of(R"([{"matchExpressions":[{"key":"disk","operator":"In"}]}])") ==
        std::vector<std::string>{base + "[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"});
  CHECK(errors_of(R"([{"matchFields":[{"key":"metadata.labels","operator":"In","values":["a"]}]}])") ==
        std::vector<std::string>{base + "[0].matchFields[0].key: Unsupported value: \"metadata.labels\": supported values: \"metadata.name\""});

  auto pod = pod_with_affinity(required(R"([{"matchExpressions":[{"key":"disk","operator":"In"}]}])"));
  CHECK_FALSE(matches_node_selector_and_affinity(pod, kNode));
  auto status = check_pod(pod);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Catch::Contains(base + "[0].matchExpressions[0].values"));

  Pod bad_selector;
  bad_selector.metadata.name = "p";
  bad_selector.metadata.namespace_ = "default";
  bad_selector.spec.node_selector = {{"disk", "not a label value!"}};
  REQUIRE_FALSE(check_pod(bad_selector).ok());
  CHECK_THAT(check_pod(bad_selector).error().message, Catch::Contains("spec.nodeSelector"));
}

TEST_CASE("the node's own labels: host name, OS and arch as kubelet sets them, --node-labels on top") {
  auto labels = node_labels("node-1", "x86_64", {{"disk", "ssd"}});
  CHECK(labels.at("kubernetes.io/hostname") == "node-1");
  CHECK(labels.at("kubernetes.io/os") == "linux");
  CHECK(labels.at("kubernetes.io/arch") == "amd64");
  CHECK(labels.at("beta.kubernetes.io/arch") == "amd64");
  CHECK(labels.at("disk") == "ssd");
  CHECK(go_arch("aarch64") == "arm64");

  auto parsed = parse_node_labels({"disk=ssd", "node.kubernetes.io/pool=a", "example.com/x="});
  REQUIRE(parsed.ok());
  CHECK(parsed->at("node.kubernetes.io/pool") == "a");
  CHECK(parsed->at("example.com/x").empty());
  CHECK_FALSE(parse_node_labels({"noequals"}).ok());
  auto restricted = parse_node_labels({"kubernetes.io/role=master"});
  REQUIRE_FALSE(restricted.ok());
  CHECK_THAT(restricted.error().message, Catch::Contains("--node-labels: unknown 'kubernetes.io' or 'k8s.io' labels"));
  CHECK(parse_node_labels({"topology.kubernetes.io/zone=z1"}).ok());
  auto bad_value = parse_node_labels({"disk=not valid"});
  REQUIRE_FALSE(bad_value.ok());
  CHECK_THAT(bad_value.error().message, Catch::StartsWith("--node-labels: value \"not valid\""));
}
