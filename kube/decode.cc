// Top-level decoding: apiVersion/kind dispatch, EndpointSlice and Event bodies, Lists, and the
// "<kind> <ns>/<name>: ..." error prefix (see decode.h).
#include "kube/decode.h"

#include "kube/decode_parts.h"
#include "kube/defaults.h"
#include "kube/yaml.h"

namespace nodeagent::kube {

using nlohmann::json;
using detail::DecodeContext;
using detail::ObjectReader;

namespace {

// How an object is named in messages before it is decoded: "pod default/web".
std::string describe(const std::string& kind, const json& doc) {
  std::string ns = "default", name = "(unnamed)";
  if (auto m = doc.find("metadata"); m != doc.end() && m->is_object()) {
    if (auto n = m->find("namespace"); n != m->end() && n->is_string() && !n->get<std::string>().empty()) {
      ns = n->get<std::string>();
    }
    if (auto n = m->find("name"); n != m->end() && n->is_string() && !n->get<std::string>().empty()) {
      name = n->get<std::string>();
    }
  }
  return kind + " " + ns + "/" + name;
}

// Runs `body` over the document and turns collected errors into one Error.
template <typename T, typename Body>
Result<Decoded<T>> decode_with(const json& doc, const std::string& kind, const std::string& api_version,
                               const std::string& json_kind, Body body) {
  if (!doc.is_object()) return invalid(kind + ": expected a JSON object, got " + detail::json_type_name(doc));
  DecodeContext ctx;
  T object;
  {
    ObjectReader r(ctx, doc, "");
    std::string av = r.str("apiVersion");
    std::string k = r.str("kind");
    if (av != api_version) ctx.errors.push_back(invalid_string("apiVersion", av, "must be " + quote(api_version)));
    if (k != json_kind) ctx.errors.push_back(invalid_string("kind", k, "must be " + quote(json_kind)));
    object = body(r);
  }
  if (!ctx.errors.empty()) return invalid(one_line_summary(describe(kind, doc), ctx.errors));
  return Decoded<T>{with_defaults(std::move(object)), std::move(ctx.warnings)};
}

Endpoint decode_endpoint(ObjectReader& r) {
  Endpoint e;
  e.addresses = r.strings("addresses");
  if (auto c = r.object("conditions", [](ObjectReader& cr) {
        return EndpointConditions{cr.opt_bool("ready"), cr.opt_bool("serving"), cr.opt_bool("terminating")};
      })) {
    e.conditions = *c;
  }
  e.hostname = r.opt_str("hostname");
  e.target_ref = r.object("targetRef", detail::decode_object_reference);
  e.node_name = r.opt_str("nodeName");
  e.zone = r.opt_str("zone");
  e.hints = r.raw("hints");
  r.ignore("deprecatedTopology");
  return e;
}

EndpointPort decode_endpoint_port(ObjectReader& r) {
  return EndpointPort{r.opt_str("name"), r.opt_str("protocol"), r.opt_i32("port"), r.opt_str("appProtocol")};
}

std::string api_version_of(const json& doc) {
  auto it = doc.find("apiVersion");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string kind_field_of(const json& doc) {
  auto it = doc.find("kind");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

template <typename T>
Result<Decoded<Object>> as_object(Result<Decoded<T>> r) {
  if (!r.ok()) return r.error();
  return Decoded<Object>{Object(std::move(r->object)), std::move(r->warnings)};
}

}  // namespace

Result<Decoded<Pod>> decode_pod(const json& doc) {
  return decode_with<Pod>(doc, "pod", "v1", "Pod", [](ObjectReader& r) {
    Pod pod;
    if (auto m = r.object("metadata", detail::decode_object_meta)) pod.metadata = *m;
    if (auto s = r.object("spec", detail::decode_pod_spec)) pod.spec = *s;
    if (auto s = r.object("status", detail::decode_pod_status)) pod.status = *s;
    return pod;
  });
}

Result<Decoded<Service>> decode_service(const json& doc) {
  return decode_with<Service>(doc, "service", "v1", "Service", [](ObjectReader& r) {
    Service svc;
    if (auto m = r.object("metadata", detail::decode_object_meta)) svc.metadata = *m;
    if (auto s = r.object("spec", detail::decode_service_spec)) svc.spec = *s;
    if (auto s = r.object("status", detail::decode_service_status)) svc.status = *s;
    return svc;
  });
}

Result<Decoded<EndpointSlice>> decode_endpoint_slice(const json& doc) {
  return decode_with<EndpointSlice>(doc, "endpointslice", "discovery.k8s.io/v1", "EndpointSlice",
                                    [](ObjectReader& r) {
    EndpointSlice slice;
    if (auto m = r.object("metadata", detail::decode_object_meta)) slice.metadata = *m;
    slice.address_type = r.str("addressType");
    slice.endpoints = r.list("endpoints", decode_endpoint);
    slice.ports = r.list("ports", decode_endpoint_port);
    return slice;
  });
}

Result<Decoded<Event>> decode_event(const json& doc) {
  return decode_with<Event>(doc, "event", "v1", "Event", [](ObjectReader& r) {
    Event e;
    if (auto m = r.object("metadata", detail::decode_object_meta)) e.metadata = *m;
    if (auto o = r.object("involvedObject", detail::decode_object_reference)) e.involved_object = *o;
    e.reason = r.str("reason");
    e.message = r.str("message");
    if (auto s = r.object("source", [](ObjectReader& sr) { return EventSource{sr.str("component"), sr.str("host")}; })) {
      e.source = *s;
    }
    e.first_timestamp = r.time("firstTimestamp");
    e.last_timestamp = r.time("lastTimestamp");
    e.count = r.i32("count");
    e.type = r.str("type");
    e.event_time = r.time("eventTime");
    e.action = r.str("action");
    e.reporting_component = r.str("reportingComponent");
    e.reporting_instance = r.str("reportingInstance");
    r.ignore("series");
    r.ignore("related");
    return e;
  });
}

Result<Decoded<ConfigMap>> decode_config_map(const json& doc) {
  return decode_with<ConfigMap>(doc, "configmap", "v1", "ConfigMap", detail::decode_config_map_body);
}

Result<Decoded<Secret>> decode_secret(const json& doc) {
  return decode_with<Secret>(doc, "secret", "v1", "Secret", detail::decode_secret_body);
}

Result<Decoded<PersistentVolume>> decode_persistent_volume(const json& doc) {
  return decode_with<PersistentVolume>(doc, "persistentvolume", "v1", "PersistentVolume",
                                       detail::decode_persistent_volume_body);
}

Result<Decoded<PersistentVolumeClaim>> decode_persistent_volume_claim(const json& doc) {
  return decode_with<PersistentVolumeClaim>(doc, "persistentvolumeclaim", "v1", "PersistentVolumeClaim",
                                            detail::decode_persistent_volume_claim_body);
}

Result<Decoded<Object>> decode_object(const json& doc) {
  if (!doc.is_object()) return invalid("expected a JSON object, got " + detail::json_type_name(doc));
  const std::string av = api_version_of(doc), kind = kind_field_of(doc);
  if (av == "v1" && kind == "Pod") return as_object(decode_pod(doc));
  if (av == "v1" && kind == "Service") return as_object(decode_service(doc));
  if (av == "discovery.k8s.io/v1" && kind == "EndpointSlice") return as_object(decode_endpoint_slice(doc));
  if (av == "v1" && kind == "Event") return as_object(decode_event(doc));
  if (av == "v1" && kind == "ConfigMap") return as_object(decode_config_map(doc));
  if (av == "v1" && kind == "Secret") return as_object(decode_secret(doc));
  if (av == "v1" && kind == "PersistentVolume") return as_object(decode_persistent_volume(doc));
  if (av == "v1" && kind == "PersistentVolumeClaim") return as_object(decode_persistent_volume_claim(doc));
  if (kind.empty()) return invalid("Object 'Kind' is missing in " + doc.dump().substr(0, 80));
  return invalid("no kind " + quote(kind) + " is registered for version " + quote(av) +
                 " (supported: v1 Pod, v1 Service, discovery.k8s.io/v1 EndpointSlice, v1 Event, v1 ConfigMap, "
                 "v1 Secret, v1 PersistentVolume, v1 PersistentVolumeClaim, v1 List)");
}

Result<std::vector<Decoded<Object>>> decode_manifests(std::string_view text) {
  NA_ASSIGN_OR_RETURN(std::vector<json> docs, parse_documents(text));
  std::vector<Decoded<Object>> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    const json& doc = docs[i];
    const std::string kind = doc.is_object() ? kind_field_of(doc) : "";
    // v1 List and typed lists (PodList, ServiceList, ...) carry their objects in "items".
    if (doc.is_object() && kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {
      auto items = doc.find("items");
      if (items == doc.end() || items->is_null()) continue;
      if (!items->is_array()) return invalid("document " + std::to_string(i + 1) + ": " + kind + ".items: expected array");
      for (size_t j = 0; j < items->size(); ++j) {
        json item = (*items)[j];
        // Items of a typed list may omit apiVersion/kind; they inherit the list's.
        if (item.is_object() && kind != "List") {
          if (!item.contains("kind")) item["kind"] = kind.substr(0, kind.size() - 4);
          if (!item.contains("apiVersion")) item["apiVersion"] = api_version_of(doc);
        }
        auto decoded = decode_object(item);
        if (!decoded.ok()) return decoded.error();
        out.push_back(std::move(decoded).value());
      }
      continue;
    }
    auto decoded = decode_object(doc);
    if (!decoded.ok()) return decoded.error();
    out.push_back(std::move(decoded).value());
  }
  return out;
}

std::string kind_of(const Object& object) {
  return std::visit([](const auto& o) -> std::string {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, Pod>) return "pod";
    else if constexpr (std::is_same_v<T, Service>) return "service";
    else if constexpr (std::is_same_v<T, EndpointSlice>) return "endpointslice";
    else if constexpr (std::is_same_v<T, ConfigMap>) return "configmap";
    else if constexpr (std::is_same_v<T, Secret>) return "secret";
    else if constexpr (std::is_same_v<T, PersistentVolume>) return "persistentvolume";
    else if constexpr (std::is_same_v<T, PersistentVolumeClaim>) return "persistentvolumeclaim";
    else return "event";
  }, object);
}

const ObjectMeta& metadata_of(const Object& object) {
  return std::visit([](const auto& o) -> const ObjectMeta& { return o.metadata; }, object);
}

}  // namespace nodeagent::kube
