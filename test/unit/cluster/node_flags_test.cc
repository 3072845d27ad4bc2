#include "agent/cluster/node_flags.h"

#include <catch2/catch.hpp>

using namespace nodeagent;
using namespace nodeagent::cluster;
using Catch::Matchers::Contains;

TEST_CASE("node flags: --register-with-taints takes key=value:Effect and key:Effect") {
  auto t = parse_taints({"dedicated=gpu:NoSchedule", "example.com/maint:NoExecute,spot=true:PreferNoSchedule"});
  REQUIRE(t.ok());
  CHECK(*t == std::vector<Taint>{{"dedicated", "gpu", "NoSchedule"},
                                 {"example.com/maint", "", "NoExecute"},
                                 {"spot", "true", "PreferNoSchedule"}});
  CHECK(parse_taints({}).value().empty());
}

TEST_CASE("node flags: bad taints are refused with the flag named") {
  auto no_effect = parse_taints({"dedicated=gpu"});
  REQUIRE(!no_effect.ok());
  CHECK_THAT(no_effect.error().message, Contains("--register-with-taints: invalid taint spec: dedicated=gpu"));
  CHECK_THAT(parse_taints({"a=b:Sometimes"}).error().message, Contains("invalid taint effect: Sometimes"));
  CHECK_THAT(parse_taints({"-bad=b:NoSchedule"}).error().message, Contains("invalid taint key"));
  CHECK_THAT(parse_taints({"a=b c:NoSchedule"}).error().message, Contains("invalid taint value"));
  CHECK_THAT(parse_taints({"a=1:NoSchedule", "a=2:NoSchedule"}).error().message,
             Contains("duplicated taints with the same key and effect: a:NoSchedule"));
  CHECK(parse_taints({"a=1:NoSchedule", "a=2:NoExecute"}).ok());
}

TEST_CASE("node flags: --kube-reserved and --system-reserved") {
  auto r = parse_reservation({"cpu=100m,memory=100Mi", "ephemeral-storage=1Gi", "pid=1000"}, "--kube-reserved");
  REQUIRE(r.ok());
  CHECK(r->at("cpu").milli == 100);
  CHECK(r->at("memory").value() == 100 * 1024 * 1024);
  CHECK(r->at("ephemeral-storage").value() == int64_t{1} << 30);
  CHECK(r->at("pid").value() == 1000);

  CHECK_THAT(parse_reservation({"gpu=1"}, "--system-reserved").error().message,
             Contains("--system-reserved: cannot reserve \"gpu\" resource"));
  CHECK_THAT(parse_reservation({"memory=-1Mi"}, "--kube-reserved").error().message,
             Contains("resource quantity for \"memory\" cannot be negative"));
  CHECK_THAT(parse_reservation({"cpu=lots"}, "--kube-reserved").error().message, Contains("--kube-reserved: cpu:"));
  CHECK_THAT(parse_reservation({"cpu"}, "--kube-reserved").error().message, Contains("must be RESOURCE=QUANTITY"));
}
