// The unary RPCs of nodeagent.v1.NodeAgent (streams are in service_streams.cc).
#include "agent/api/service.h"

#include "agent/api/convert.h"
#include "agent/api/grpc_status.h"
#include "kube/selector.h"
#include "util/log.h"

namespace nodeagent::api {
namespace {

grpc::Status json_reply(const nlohmann::json& doc, v1::JsonDocument* reply) {
  reply->set_json(doc.dump());
  return grpc::Status::OK;
}

// Finds the container whose id is `ref` or starts with it; errors when none or several match.
Result<ContainerView> find_container(AgentBackend& backend, const std::string& ref) {
  if (ref.empty()) return invalid("container: an id or id prefix is required");
  NA_ASSIGN_OR_RETURN(auto all, backend.list_containers("", true));
  std::optional<ContainerView> found;
  for (auto& c : all) {
    if (c.state.id == ref) return c;
    if (c.state.id.rfind(ref, 0) == 0) {
      if (found) return invalid("container id prefix \"" + ref + "\" is ambiguous");
      found = c;
    }
  }
  if (!found) return not_found("container \"" + ref + "\" not found");
  return *found;
}

}  // namespace

grpc::Status NodeAgentService::guarded(const char* rpc, const std::function<grpc::Status()>& body) {
  auto pass = gate_.enter();
  if (!pass) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "nodeagent is shutting down");
  try {
    return body();
  } catch (const std::exception& e) {
    // Nothing may escape into gRPC's threads; a backend bug becomes an INTERNAL reply.
    log::get("api")->error("rpc={} failed with exception: {}", rpc, e.what());
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string(rpc) + ": " + e.what());
  }
}

grpc::Status NodeAgentService::ListPods(grpc::ServerContext*, const v1::ListPodsRequest* req,
                                        v1::JsonDocument* reply) {
  return guarded("ListPods", [&] {
    auto selector = kube::parse_label_selector(req->label_selector());
    if (!selector.ok()) return to_grpc(selector.error());
    return json_reply(pod_list(backend_.list_pods(), req->namespace_(), *selector), reply);
  });
}

grpc::Status NodeAgentService::GetPod(grpc::ServerContext*, const v1::PodRef* req, v1::JsonDocument* reply) {
  return guarded("GetPod", [&] {
    if (req->pod().empty()) return to_grpc(invalid("pod: a name, namespace/name or UID is required"));
    auto pod = backend_.get_pod(req->pod());
    if (!pod.ok()) return to_grpc(pod.error());
    return json_reply(*pod, reply);
  });
}

grpc::Status NodeAgentService::ListContainers(grpc::ServerContext*, const v1::ListContainersRequest* req,
                                              v1::ListContainersResponse* reply) {
  return guarded("ListContainers", [&] {
    auto views = backend_.list_containers(req->pod(), req->all());
    if (!views.ok()) return to_grpc(views.error());
    for (const auto& v : *views) *reply->add_containers() = to_proto(v);
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::InspectContainer(grpc::ServerContext*, const v1::ContainerRef* req,
                                                v1::JsonDocument* reply) {
  return guarded("InspectContainer", [&] {
    auto view = find_container(backend_, req->container());
    if (!view.ok()) return to_grpc(view.error());
    // The listing may be a cached view; the runtime has the current state.
    std::optional<runtime::ContainerState> fresh;
    auto status = backend_.containers().container_status(view->state.id);
    if (status.ok()) fresh = *status;
    return json_reply(inspect_json(*view, fresh), reply);
  });
}

grpc::Status NodeAgentService::ListImages(grpc::ServerContext*, const v1::ListImagesRequest*,
                                          v1::ListImagesResponse* reply) {
  return guarded("ListImages", [&] {
    auto images = backend_.images().list_images();
    if (!images.ok()) return to_grpc(images.error());
    for (const auto& i : *images) *reply->add_images() = to_proto(i);
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::PullImage(grpc::ServerContext*, const v1::PullImageRequest* req, v1::Image* reply) {
  return guarded("PullImage", [&] {
    if (req->image().empty()) return to_grpc(invalid("image: a reference is required"));
    runtime::RegistryAuth auth;
    auth.username = req->username();
    auth.password = req->password();
    auto image = backend_.images().pull_image(req->image(), auth);
    if (!image.ok()) return to_grpc(image.error());
    *reply = to_proto(*image);
    log::get("api")->info("pulled image={} id={}", req->image(), image->id);
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::ImportImage(grpc::ServerContext*, const v1::ImportImageRequest* req,
                                           v1::ListImagesResponse* reply) {
  return guarded("ImportImage", [&] {
    if (req->path().empty()) return to_grpc(invalid("path: an OCI archive path is required"));
    auto images = backend_.images().import_archive(req->path(), req->name());
    if (!images.ok()) return to_grpc(images.error());
    for (const auto& i : *images) *reply->add_images() = to_proto(i);
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::RemoveImage(grpc::ServerContext*, const v1::RemoveImageRequest* req,
                                           v1::RemoveImageResponse*) {
  return guarded("RemoveImage", [&] {
    if (req->image().empty()) return to_grpc(invalid("image: a reference or id is required"));
    Status st = backend_.images().remove_image(req->image());
    if (!st.ok()) return to_grpc(st.error());
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* req,
                                          v1::JsonDocument* reply) {
  return guarded("ListEvents", [&] { return json_reply(v1_list("EventList", backend_.list_events(req->pod())), reply); });
}

grpc::Status NodeAgentService::ListProbes(grpc::ServerContext*, const v1::ListProbesRequest* req,
                                          v1::JsonDocument* reply) {
  return guarded("ListProbes", [&] {
    auto probes = backend_.list_probes(req->pod());
    if (!probes.ok()) return to_grpc(probes.error());
    return json_reply(v1_list("List", *probes), reply);
  });
}

grpc::Status NodeAgentService::ListServices(grpc::ServerContext*, const v1::ListServicesRequest*,
                                            v1::JsonDocument* reply) {
  return guarded("ListServices", [&] {
    auto services = backend_.list_services();
    if (!services.ok()) return to_grpc(services.error());
    return json_reply(*services, reply);
  });
}

grpc::Status NodeAgentService::TraceService(grpc::ServerContext*, const v1::TraceRequest* req,
                                            v1::TraceResponse* reply) {
  return guarded("TraceService", [&] {
    if (req->service().empty()) return to_grpc(invalid("service: a name or namespace/name is required"));
    auto text = backend_.trace_service(req->service(), req->port());
    if (!text.ok()) return to_grpc(text.error());
    reply->set_text(*text);
    return grpc::Status::OK;
  });
}

grpc::Status NodeAgentService::Version(grpc::ServerContext*, const v1::VersionRequest*, v1::VersionResponse* reply) {
  return guarded("Version", [&] {
    auto facts = backend_.facts();
    reply->set_version(facts.version);
    reply->set_node_name(facts.node_name);
    reply->set_containerd_namespace(facts.containerd_namespace);
    reply->set_root_dir(facts.root_dir);
    return grpc::Status::OK;
  });
}

}  // namespace nodeagent::api
