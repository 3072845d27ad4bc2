// Decoding containerd event envelopes into ContainerEvents, without containerd.
#include <catch2/catch.hpp>

#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "runtime/containerd/event_stream.h"

using namespace nodeagent::runtime;
using namespace nodeagent::runtime::ctd;

namespace {

template <typename T>
api::events::Envelope envelope(const std::string& topic, const T& msg, const std::string& type_url = "") {
  api::events::Envelope env;
  env.set_namespace_("k8s.io");
  env.set_topic(topic);
  env.mutable_timestamp()->set_seconds(1700000000);
  // containerd sends the bare message name, without the "type.googleapis.com/" slash.
  env.mutable_event()->set_type_url(type_url.empty() ? T::descriptor()->full_name() : type_url);
  env.mutable_event()->set_value(msg.SerializeAsString());
  return env;
}

}  // namespace

TEST_CASE("TaskExit of the init process maps to kExited with code, pid and time", "[containerd]") {
  ::containerd::events::TaskExit exit;
  exit.set_container_id("c1");
  exit.set_id("c1");
  exit.set_pid(42);
  exit.set_exit_status(3);
  exit.mutable_exited_at()->set_seconds(1700000001);
  auto ev = to_container_event(envelope("/tasks/exit", exit));
  REQUIRE(ev.has_value());
  CHECK(ev->kind == ContainerEventKind::kExited);
  CHECK(ev->container_id == "c1");
  CHECK(ev->pid == 42);
  CHECK(ev->exit_code == 3);
  REQUIRE(ev->at.has_value());
  CHECK(std::chrono::system_clock::to_time_t(*ev->at) == 1700000001);
}

TEST_CASE("exec exits and exec deletes are ignored", "[containerd]") {
  ::containerd::events::TaskExit exit;
  exit.set_container_id("c1");
  exit.set_id("exec-123");
  CHECK_FALSE(to_container_event(envelope("/tasks/exit", exit)).has_value());
  ::containerd::events::TaskDelete del;
  del.set_container_id("c1");
  del.set_id("exec-123");
  CHECK_FALSE(to_container_event(envelope("/tasks/delete", del)).has_value());
}

TEST_CASE("TaskStart, TaskOOM and TaskDelete map to their kinds", "[containerd]") {
  ::containerd::events::TaskStart start;
  start.set_container_id("c2");
  start.set_pid(7);
  auto s = to_container_event(envelope("/tasks/start", start));
  REQUIRE(s.has_value());
  CHECK(s->kind == ContainerEventKind::kStarted);
  CHECK(s->pid == 7);
  CHECK(s->at.has_value());

  ::containerd::events::TaskOOM oom;
  oom.set_container_id("c2");
  auto o = to_container_event(envelope("/tasks/oom", oom));
  REQUIRE(o.has_value());
  CHECK(o->kind == ContainerEventKind::kOOM);
  CHECK(o->container_id == "c2");

  ::containerd::events::TaskDelete del;
  del.set_container_id("c2");
  del.set_exit_status(137);
  auto d = to_container_event(envelope("/tasks/delete", del));
  REQUIRE(d.has_value());
  CHECK(d->kind == ContainerEventKind::kDeleted);
  CHECK(d->exit_code == 137);
  // A Go zero time (0001-01-01) is "unset".
  CHECK_FALSE(d->at.has_value());
}

TEST_CASE("type_url with a host prefix also matches; other types and look-alikes do not", "[containerd]") {
  ::containerd::events::TaskOOM oom;
  oom.set_container_id("c3");
  CHECK(to_container_event(envelope("/tasks/oom", oom, "type.googleapis.com/containerd.events.TaskOOM")).has_value());
  CHECK_FALSE(to_container_event(envelope("/tasks/oom", oom, "containerd.events.TaskOOMX")).has_value());
  CHECK_FALSE(to_container_event(envelope("/tasks/oom", oom, "xcontainerd.events.TaskOOM")).has_value());
  ::containerd::events::TaskPaused paused;
  paused.set_container_id("c3");
  CHECK_FALSE(to_container_event(envelope("/tasks/paused", paused)).has_value());
}

TEST_CASE("subscribe filters select the namespace's task topics", "[containerd]") {
  CHECK(task_event_filters("k8s.io") == std::vector<std::string>{"namespace==k8s.io,topic~=\"^/tasks/\""});
}
