// ServiceState, the glue's core, against a real ChangeTracker: typed upserts/deletes reach the
// tracker, pod readiness changes the computed endpoints, refused Services are reported once.
#include <catch2/catch.hpp>

#include "agent/services/service_state.h"
#include "network/proxy/change_tracker.h"
#include "test/unit/services/objects.h"

using namespace nodeagent;
using namespace servicestest;
using network::proxy::ServicePortName;

namespace {

struct Fixture {
  network::proxy::ChangeTracker tracker{"node-a"};
  std::vector<std::string> problems;
  services::ServiceState state{tracker, "node-a", [this](const std::string& object, const std::string& message) {
                                 problems.push_back(object + ": " + message);
                               }};

  // "ip:port ready|notready" for each endpoint of default/web.
  std::vector<std::string> endpoints(const std::string& svc = "web", const std::string& ns = "default") {
    std::vector<std::string> out;
    auto snap = tracker.snapshot();
    for (const auto& ep : snap.endpoints[ServicePortName{ns, svc, ""}])
      out.push_back(ep.to_string() + (ep.ready ? " ready" : " notready"));
    return out;
  }
};

}  // namespace

TEST_CASE("upserts and deletes of Services and EndpointSlices reach the tracker") {
  Fixture f;
  auto svc = web("web", "default", "web");
  svc.spec.selector.clear();  // endpoints from slices only
  f.state.upsert_service(svc);
  f.state.upsert_endpoint_slice(slice("web-1", "web", "10.1.0.7"));
  f.state.refresh();
  REQUIRE(f.tracker.services().count({"default", "web"}) == 1);
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.7:8080 ready"});

  auto gen = f.tracker.generation();
  f.state.upsert_service(svc);  // the same value again: no change reaches the tracker
  f.state.upsert_endpoint_slice(slice("web-1", "web", "10.1.0.7"));
  f.state.refresh();
  CHECK(f.tracker.generation() == gen);

  f.state.upsert_endpoint_slice(slice("web-1", "web", "10.1.0.8"));
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.8:8080 ready"});
  f.state.delete_endpoint_slice("default", "web-1");
  CHECK(f.endpoints().empty());
  f.state.delete_service("default", "web");
  f.state.refresh();
  CHECK(f.tracker.services().empty());
  CHECK(f.problems.empty());
}

TEST_CASE("a pod becoming ready or unready changes the computed endpoints") {
  Fixture f;
  f.state.upsert_service(web());
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", false));
  f.state.upsert_pod(pod("u2", "db-1", "10.1.0.2", true, "db"));  // not selected
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 notready"});

  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready"});

  f.state.upsert_pod(pod("u3", "web-2", "10.1.0.3", true));
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready", "10.1.0.3:8080 ready"});

  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", false));
  f.state.delete_pod("u3");
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 notready"});

  // A pod relabelled away from the selector leaves the Service's endpoints.
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true, "other"));
  f.state.refresh();
  CHECK(f.endpoints().empty());

  // The Service going away takes its computed slice with it.
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  f.state.refresh();
  REQUIRE(f.endpoints().size() == 1);
  f.state.delete_service("default", "web");
  f.state.refresh();
  f.state.upsert_service(web("web", "default", "nothing"));
  f.state.refresh();
  CHECK(f.endpoints().empty());
}

TEST_CASE("a pod change only recomputes the Services that select it") {
  Fixture f;
  f.state.upsert_service(web("web", "default", "web", "10.96.0.10"));
  f.state.upsert_service(web("db", "default", "db", "10.96.0.11"));
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  f.state.upsert_pod(pod("u2", "db-1", "10.1.0.2", true, "db"));
  f.state.refresh();
  auto gen = f.tracker.generation();
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", false));
  f.state.refresh();
  CHECK(f.tracker.generation() == gen + 1);  // web's slice only
  CHECK(f.endpoints("db") == std::vector<std::string>{"10.1.0.2:8080 ready"});
}

TEST_CASE("a refused Service is reported once and forgotten when fixed") {
  Fixture f;
  auto bad = service(R"({"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}})");  // no clusterIP
  f.state.upsert_service(bad);
  f.state.upsert_service(bad);
  f.state.refresh();
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0] ==
        "service default/web: service default/web: spec.clusterIP: Required value (no API server allocates one here)");
  CHECK(f.tracker.services().empty());

  f.state.upsert_service(web());  // fixed
  f.state.refresh();
  CHECK(f.tracker.services().size() == 1);
  f.state.upsert_service(bad);  // broken again: reported again, and the running version goes
  f.state.refresh();
  CHECK(f.problems.size() == 2);
  CHECK(f.tracker.services().empty());
}

TEST_CASE("a Service refused for a taken nodePort is applied once the port is free") {
  Fixture f;
  auto np = [](const std::string& name, const std::string& ip) {
    return service(R"({"metadata": {"name": ")" + name + R"("}, "spec": {"type": "NodePort", "clusterIP": ")" + ip +
                   R"(", "ports": [{"port": 80, "nodePort": 30080}]}})");
  };
  f.state.upsert_service(np("a", "10.96.0.1"));
  f.state.upsert_service(np("b", "10.96.0.2"));
  f.state.refresh();
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0].find("provided port is already allocated (to service default/a)") != std::string::npos);
  CHECK(f.tracker.services().count({"default", "b"}) == 0);

  f.state.delete_service("default", "a");
  f.state.refresh();
  CHECK(f.tracker.services().count({"default", "b"}) == 1);
  CHECK(f.problems.size() == 1);
}

TEST_CASE("a refused EndpointSlice is reported once; a valid one replaces it") {
  Fixture f;
  auto s = slice("web-1", "web", "10.1.0.7");
  s.address_type = "IPv6";  // valid for kube, not proxied here
  s.endpoints[0].addresses = {"fd00::7"};
  f.state.upsert_endpoint_slice(s);
  f.state.upsert_endpoint_slice(s);
  REQUIRE(f.problems.size() == 1);
  CHECK(f.problems[0].find("addressType: Unsupported value") != std::string::npos);
  f.state.upsert_endpoint_slice(slice("web-1", "web", "10.1.0.7"));
  f.state.upsert_endpoint_slice(s);
  CHECK(f.problems.size() == 2);
}

TEST_CASE("the endpointslice controller's slices replace the pod-computed endpoints of a selector Service") {
  Fixture f;
  f.state.upsert_service(web());
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  f.state.refresh();
  REQUIRE(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready"});

  // A user's slice without the controller's label adds to the pod endpoints (as before).
  f.state.upsert_endpoint_slice(slice("web-extra", "web", "10.2.0.9"));
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready", "10.2.0.9:8080 ready"});
  f.state.delete_endpoint_slice("default", "web-extra");

  // The controller's slice holds this node's pod and another node's: each is counted once.
  auto controller = slice("web-abcde", "web", "10.1.0.1");
  controller.metadata.labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io";
  auto remote = controller.endpoints[0];
  remote.addresses = {"10.3.0.4"};
  controller.endpoints.push_back(remote);
  f.state.upsert_endpoint_slice(controller);
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready", "10.3.0.4:8080 ready"});

  // The node's own readiness still arrives through upsert_pod, but the controller's slice decides.
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", false));
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 ready", "10.3.0.4:8080 ready"});
  controller.endpoints[0].conditions.ready = false;
  f.state.upsert_endpoint_slice(controller);
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 notready", "10.3.0.4:8080 ready"});

  // Without any controller slice left, the node computes the endpoints from its pods again.
  f.state.delete_endpoint_slice("default", "web-abcde");
  f.state.refresh();
  CHECK(f.endpoints() == std::vector<std::string>{"10.1.0.1:8080 notready"});
  CHECK(f.problems.empty());
}

TEST_CASE("a controller slice relabelled to another Service moves the takeover with it") {
  Fixture f;
  f.state.upsert_service(web("web", "default", "web", "10.96.0.10"));
  f.state.upsert_service(web("db", "default", "db", "10.96.0.11"));
  f.state.upsert_pod(pod("u1", "web-1", "10.1.0.1", true));
  f.state.upsert_pod(pod("u2", "db-1", "10.1.0.2", true, "db"));
  auto s = slice("x", "web", "10.3.0.4");
  s.metadata.labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io";
  f.state.upsert_endpoint_slice(s);
  f.state.refresh();
  CHECK(f.endpoints("web") == std::vector<std::string>{"10.3.0.4:8080 ready"});
  CHECK(f.endpoints("db") == std::vector<std::string>{"10.1.0.2:8080 ready"});
  s.metadata.labels["kubernetes.io/service-name"] = "db";
  f.state.upsert_endpoint_slice(s);
  f.state.refresh();
  CHECK(f.endpoints("web") == std::vector<std::string>{"10.1.0.1:8080 ready"});
  CHECK(f.endpoints("db") == std::vector<std::string>{"10.3.0.4:8080 ready"});
}
