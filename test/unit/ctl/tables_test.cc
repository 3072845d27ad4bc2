// Tests of the ps / images / events / services tables.
#include <catch2/catch.hpp>

#include "agent/ctl/tables.h"
#include "util/rfc3339.h"

using namespace nodeagent::ctl;
using nodeagent::parse_rfc3339;
using nlohmann::json;

namespace {
const TimePoint kNow = *parse_rfc3339("2024-05-01T12:00:00Z");
}

TEST_CASE("containers_table shows short ids, age and pod") {
  nodeagent::v1::ListContainersResponse reply;
  auto* c = reply.add_containers();
  c->set_id("0123456789abcdef0123456789");
  c->set_image("docker.io/library/busybox:latest");
  c->set_state("running");
  c->set_name("app");
  c->set_attempt(2);
  c->set_pod_name("web");
  c->set_pod_namespace("default");
  c->set_created_at_unix_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   (kNow - std::chrono::seconds(42)).time_since_epoch()).count());
  std::string t = containers_table(reply, kNow);
  CHECK(t.rfind("CONTAINER       IMAGE", 0) == 0);
  CHECK(t.find("0123456789abc   docker.io/library/busybox:latest   42s ago   running   app    2         default/web\n") !=
        std::string::npos);
}

TEST_CASE("images_table splits repository and tag, one row per tag") {
  nodeagent::v1::ListImagesResponse reply;
  auto* i = reply.add_images();
  i->set_id("sha256:abcdef0123456789abcdef");
  i->add_repo_tags("docker.io/library/busybox:1.36");
  i->add_repo_tags("localhost:5000/busybox:latest");
  i->set_size(2150000);
  auto* untagged = reply.add_images();
  untagged->set_id("sha256:fff0000000000000");
  untagged->add_repo_digests("docker.io/library/alpine@sha256:1234");
  untagged->set_size(10);
  std::string t = images_table(reply);
  CHECK(t.find("docker.io/library/busybox   1.36     abcdef0123456   2.15MB\n") != std::string::npos);
  CHECK(t.find("localhost:5000/busybox      latest   abcdef0123456   2.15MB\n") != std::string::npos);
  CHECK(t.find("docker.io/library/alpine    <none>   fff0000000000   10B\n") != std::string::npos);
}

TEST_CASE("events_table: LAST SEEN, TYPE, REASON, kind/name, MESSAGE") {
  json list = {{"items",
                {{{"type", "Warning"},
                  {"reason", "BackOff"},
                  {"message", "Back-off restarting failed container"},
                  {"lastTimestamp", "2024-05-01T11:59:50Z"},
                  {"involvedObject", {{"kind", "Pod"}, {"name", "web"}}}},
                 {{"type", "Normal"}, {"reason", "Pulled"}, {"eventTime", "2024-05-01T11:00:00.000000Z"}}}}};
  std::string t = events_table(list, kNow);
  CHECK(t.find("10s         Warning   BackOff   pod/web   Back-off restarting failed container\n") != std::string::npos);
  CHECK(t.find("60m         Normal    Pulled    <none>    \n") != std::string::npos);
}

TEST_CASE("services_table reads flat entries and v1 Service objects") {
  json list = {{"items",
                {{{"namespace", "default"},
                  {"name", "web"},
                  {"clusterIP", "10.96.0.10"},
                  {"ports", {{{"port", 80}, {"protocol", "TCP"}, {"nodePort", 30080}}}},
                  {"endpoints", 3}},
                 {{"metadata", {{"name", "dns"}, {"namespace", "kube-system"}}},
                  {"spec", {{"clusterIP", "10.96.0.53"}, {"ports", {{{"port", 53}, {"protocol", "UDP"}}}}}}}}}};
  std::string t = services_table(list);
  CHECK(t.find("default       web    ClusterIP   10.96.0.10   80:30080/TCP   3\n") != std::string::npos);
  CHECK(t.find("kube-system   dns    ClusterIP   10.96.0.53   53/UDP         <none>\n") != std::string::npos);
  CHECK_NOTHROW(services_table(json("nonsense")));
}

TEST_CASE("probes_table: one row per probe with result, counts, last change and next run") {
  json list = {{"items",
                {{{"namespace", "default"},
                  {"pod", "web"},
                  {"container", "app"},
                  {"probe", "liveness"},
                  {"handler", "http-get http://:8080/healthz"},
                  {"result", "Failure"},
                  {"message", "HTTP probe failed with statuscode: 500"},
                  {"successes", 0},
                  {"failures", 2},
                  {"lastTransitionTime", "2024-05-01T11:59:30Z"},
                  {"nextRunTime", "2024-05-01T12:00:05Z"},
                  {"running", false}},
                 {{"namespace", "default"},
                  {"pod", "web"},
                  {"container", "app"},
                  {"probe", "startup"},
                  {"handler", "exec [cat /tmp/ready]"},
                  {"result", "Success"},
                  {"successes", 1},
                  {"failures", 0},
                  {"lastTransitionTime", nullptr},
                  {"nextRunTime", nullptr},
                  {"running", false}}}}};
  std::string t = probes_table(list, kNow);
  CHECK(t.find("POD") == 0);
  CHECK(t.find("NEXT RUN") != std::string::npos);
  CHECK(t.find("liveness") != std::string::npos);
  CHECK(t.find("30s ago") != std::string::npos);
  CHECK(t.find("in 5s") != std::string::npos);
  CHECK(t.find("HTTP probe failed with statuscode: 500") != std::string::npos);
  // The startup probe is done: no next run, no transition known.
  auto startup = t.substr(t.find("startup"));
  CHECK(startup.find("Success") != std::string::npos);
  CHECK(startup.find(" - ") != std::string::npos);
}
