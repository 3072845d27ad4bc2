#include <catch2/catch.hpp>

#include "agent/nodeapi/auth_attributes.h"

using nodeagent::nodeapi::forbidden_message;
using nodeagent::nodeapi::is_subpath;
using nodeagent::nodeapi::node_request_attributes;
using Subs = std::vector<std::string>;

TEST_CASE("verbs come from the HTTP method as kubelet maps them") {
  CHECK(node_request_attributes("GET", "/pods").verb == "get");
  CHECK(node_request_attributes("POST", "/exec/ns/p/c").verb == "create");
  CHECK(node_request_attributes("PUT", "/x").verb == "update");
  CHECK(node_request_attributes("PATCH", "/x").verb == "patch");
  CHECK(node_request_attributes("DELETE", "/x").verb == "delete");
  CHECK(node_request_attributes("OPTIONS", "/x").verb.empty());
}

TEST_CASE("subresources per path, fine-grained ones first, as v1.37's NodeAuthorizerAttributesGetter") {
  CHECK(node_request_attributes("GET", "/pods").subresources == Subs{"pods", "proxy"});
  CHECK(node_request_attributes("GET", "/pods/").subresources == Subs{"pods", "proxy"});
  CHECK(node_request_attributes("GET", "/runningpods/").subresources == Subs{"pods", "proxy"});
  CHECK(node_request_attributes("GET", "/allocatedPods").subresources == Subs{"pods", "proxy"});
  CHECK(node_request_attributes("GET", "/healthz").subresources == Subs{"healthz", "proxy"});
  CHECK(node_request_attributes("GET", "/healthz/ping").subresources == Subs{"healthz", "proxy"});
  CHECK(node_request_attributes("GET", "/configz").subresources == Subs{"configz", "proxy"});
  CHECK(node_request_attributes("GET", "/flagz").subresources == Subs{"configz"});
  CHECK(node_request_attributes("GET", "/statusz").subresources == Subs{"statusz"});
  CHECK(node_request_attributes("GET", "/stats/summary").subresources == Subs{"stats"});
  CHECK(node_request_attributes("GET", "/stats").subresources == Subs{"stats"});
  CHECK(node_request_attributes("GET", "/metrics").subresources == Subs{"metrics"});
  CHECK(node_request_attributes("GET", "/metrics/resource").subresources == Subs{"metrics"});
  CHECK(node_request_attributes("GET", "/metrics/probes").subresources == Subs{"metrics"});
  CHECK(node_request_attributes("GET", "/logs/").subresources == Subs{"log"});
  CHECK(node_request_attributes("GET", "/logs/syslog").subresources == Subs{"log"});
  CHECK(node_request_attributes("POST", "/checkpoint/ns/p/c").subresources == Subs{"checkpoint"});
  // containerLogs, exec, attach, portForward, run: proxy, as upstream (not "log").
  CHECK(node_request_attributes("GET", "/containerLogs/ns/p/c").subresources == Subs{"proxy"});
  CHECK(node_request_attributes("POST", "/exec/ns/p/c").subresources == Subs{"proxy"});
  CHECK(node_request_attributes("GET", "/podsx").subresources == Subs{"proxy"});
  CHECK(node_request_attributes("GET", "/metricsx").subresources == Subs{"proxy"});
}

TEST_CASE("isSubpath ignores a trailing slash of the base and needs a separator") {
  CHECK(is_subpath("/stats", "/stats/"));
  CHECK(is_subpath("/stats/summary", "/stats/"));
  CHECK_FALSE(is_subpath("/statsx", "/stats/"));
  CHECK_FALSE(is_subpath("/", "/stats/"));
}

TEST_CASE("the 403 body is kubelet's") {
  CHECK(forbidden_message("bob", node_request_attributes("GET", "/stats/summary")) ==
        "Forbidden (user=bob, verb=get, resource=nodes, subresource(s)=[stats])\n");
  CHECK(forbidden_message("system:anonymous", node_request_attributes("GET", "/pods")) ==
        "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource(s)=[pods proxy])\n");
}
