// Event JSON through the one kube encoder: the API server's shape, as kubectl reads it.
#include <catch2/catch.hpp>

#include "agent/events/recorder.h"
#include "kube/encode.h"

using namespace nodeagent;
using namespace nodeagent::events;

TEST_CASE("an event encodes with the API's field names") {
  const kube::Time t0 = kube::Time(std::chrono::seconds(1'700'000'000)) + std::chrono::milliseconds(250);
  Recorder recorder({"node-1", 10, [&] { return t0; }});
  kube::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "prod";
  pod.metadata.uid = "u1";
  pod.spec.containers.resize(1);
  pod.spec.containers[0].name = "app";
  kube::Event e = recorder.record(container_reference(pod, "app"), kWarning, "Failed", "Error: ErrImagePull");

  nlohmann::json j = kube::encode(e);
  CHECK(j["apiVersion"] == "v1");
  CHECK(j["kind"] == "Event");
  CHECK(j["metadata"]["name"] == e.metadata.name);
  CHECK(j["metadata"]["namespace"] == "prod");
  CHECK(j["involvedObject"] == nlohmann::json{{"kind", "Pod"},
                                              {"namespace", "prod"},
                                              {"name", "web"},
                                              {"uid", "u1"},
                                              {"apiVersion", "v1"},
                                              {"fieldPath", "spec.containers{app}"}});
  CHECK(j["reason"] == "Failed");
  CHECK(j["message"] == "Error: ErrImagePull");
  CHECK(j["source"] == nlohmann::json{{"component", "kubelet"}, {"host", "node-1"}});
  CHECK(j["firstTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(j["lastTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(j["count"] == 1);
  CHECK(j["type"] == "Warning");
  CHECK(j["eventTime"].is_null());
  CHECK(j["reportingComponent"] == "kubelet");
  CHECK(j["reportingInstance"] == "node-1");
  CHECK_FALSE(j.contains("action"));

  e.event_time = t0;
  CHECK(kube::encode(e)["eventTime"] == "2023-11-14T22:13:20.250000Z");

  nlohmann::json list = kube::encode_event_list({e, e});
  CHECK(list["kind"] == "EventList");
  CHECK(list["items"].size() == 2);
}
