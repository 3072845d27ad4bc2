// Decoder for PodStatus (the agent reads back statuses it wrote, and the API server's).
#include "kube/decode.h"
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {
namespace {

ContainerState decode_container_state(ObjectReader& r) {
  ContainerState s;
  s.waiting = r.object("waiting", [](ObjectReader& w) {
    return ContainerStateWaiting{w.str("reason"), w.str("message")};
  });
  s.running = r.object("running", [](ObjectReader& w) { return ContainerStateRunning{w.time("startedAt")}; });
  s.terminated = r.object("terminated", [](ObjectReader& t) {
    ContainerStateTerminated x;
    x.exit_code = t.i32("exitCode");
    x.signal = t.i32("signal");
    x.reason = t.str("reason");
    x.message = t.str("message");
    x.started_at = t.time("startedAt");
    x.finished_at = t.time("finishedAt");
    x.container_id = t.str("containerID");
    return x;
  });
  return s;
}

ContainerStatus decode_container_status(ObjectReader& r) {
  ContainerStatus s;
  s.name = r.str("name");
  if (auto st = r.object("state", decode_container_state)) s.state = *st;
  if (auto st = r.object("lastState", decode_container_state)) s.last_state = *st;
  s.ready = r.boolean("ready");
  s.restart_count = r.i32("restartCount");
  s.image = r.str("image");
  s.image_id = r.str("imageID");
  s.container_id = r.str("containerID");
  s.started = r.opt_bool("started");
  s.stop_signal = r.str("stopSignal");
  s.allocated_resources = r.resource_list("allocatedResources");
  s.resources = r.object("resources", [](ObjectReader& rr) {
    rr.ignore("claims");
    return ResourceRequirements{rr.resource_list("limits"), rr.resource_list("requests")};
  });
  for (const char* kept : {"user", "volumeMounts", "allocatedResourcesStatus"}) r.ignore(kept);
  return s;
}

PodCondition decode_condition(ObjectReader& r) {
  PodCondition c;
  c.type = r.str("type");
  c.status = r.str("status");
  c.last_probe_time = r.time("lastProbeTime");
  c.last_transition_time = r.time("lastTransitionTime");
  c.reason = r.str("reason");
  c.message = r.str("message");
  r.ignore("observedGeneration");
  return c;
}

PodIP decode_pod_ip(ObjectReader& r) { return PodIP{r.str("ip")}; }

}  // namespace

PodStatus decode_pod_status(ObjectReader& r) {
  PodStatus s;
  s.phase = r.str("phase");
  s.conditions = r.list("conditions", decode_condition);
  s.message = r.str("message");
  s.reason = r.str("reason");
  s.nominated_node_name = r.str("nominatedNodeName");
  s.host_ip = r.str("hostIP");
  s.host_ips = r.list("hostIPs", decode_pod_ip);
  s.pod_ip = r.str("podIP");
  s.pod_ips = r.list("podIPs", decode_pod_ip);
  s.start_time = r.time("startTime");
  s.init_container_statuses = r.list("initContainerStatuses", decode_container_status);
  s.container_statuses = r.list("containerStatuses", decode_container_status);
  s.qos_class = r.str("qosClass");
  s.ephemeral_container_statuses = r.list("ephemeralContainerStatuses", decode_container_status);
  for (const char* kept : {"resize", "resourceClaimStatuses", "observedGeneration"}) r.ignore(kept);
  return s;
}

}  // namespace nodeagent::kube::detail

namespace nodeagent::kube {

Result<Decoded<PodStatus>> decode_pod_status(const nlohmann::json& status) {
  if (!status.is_object()) return invalid("status: expected a JSON object, got " + detail::json_type_name(status));
  detail::DecodeContext ctx;
  PodStatus out;
  {
    detail::ObjectReader r(ctx, status, "status");
    out = detail::decode_pod_status(r);
  }
  if (!ctx.errors.empty()) {
    // No object name to prefix: the errors alone, "; "-separated as one_line_summary does.
    std::string message;
    for (size_t i = 0; i < ctx.errors.size(); ++i) message += (i ? "; " : "") + ctx.errors[i].to_string();
    return invalid(message);
  }
  return Decoded<PodStatus>{std::move(out), std::move(ctx.warnings)};
}

}  // namespace nodeagent::kube
