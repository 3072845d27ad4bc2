// Tables for ps, images, events, probes and services (see tables.h).
#include "agent/ctl/tables.h"

#include <algorithm>
#include <cctype>

#include "util/rfc3339.h"

namespace nodeagent::ctl {
namespace {

using nlohmann::json;

std::string text_of(const json& j, const char* key, const char* fallback = "<none>") {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (it->is_string()) return it->get<std::string>().empty() ? fallback : it->get<std::string>();
  return it->dump();
}

const json& items_of(const json& list) {
  static const json kEmpty = json::array();
  if (list.is_array()) return list;
  if (list.is_object()) {
    auto it = list.find("items");
    if (it != list.end() && it->is_array()) return *it;
  }
  return kEmpty;
}

// "80/TCP,443/TCP" from strings or {port, protocol, nodePort, name} objects.
std::string ports_of(const json& service) {
  const json* ports = nullptr;
  if (service.contains("ports")) ports = &service["ports"];
  if (!ports || !ports->is_array() || ports->empty()) return "<none>";
  std::string out;
  for (const auto& p : *ports) {
    if (!out.empty()) out += ",";
    if (p.is_string()) {
      out += p.get<std::string>();
    } else if (p.is_number()) {
      out += p.dump() + "/TCP";
    } else if (p.is_object()) {
      out += text_of(p, "port", "?");
      if (p.contains("nodePort") && p["nodePort"].is_number() && p["nodePort"].get<int>() > 0) {
        out += ":" + p["nodePort"].dump();
      }
      out += "/" + text_of(p, "protocol", "TCP");
    }
  }
  return out;
}

std::string endpoints_of(const json& service) {
  if (!service.contains("endpoints")) return "<none>";
  const json& e = service["endpoints"];
  if (e.is_number()) return e.dump();
  if (e.is_array()) return std::to_string(e.size());
  return text_of(service, "endpoints");
}

}  // namespace

std::string containers_table(const v1::ListContainersResponse& reply, TimePoint now) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : reply.containers()) {
    std::string created = "<unknown>";
    if (c.created_at_unix_nanos() > 0) {
      auto at = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
          std::chrono::nanoseconds(c.created_at_unix_nanos())));
      created = human_duration(now - at) + " ago";
    }
    rows.push_back({short_id(c.id()), c.image(), created, c.state(), c.name(), std::to_string(c.attempt()),
                    c.pod_namespace() + "/" + c.pod_name()});
  }
  return render_table({"CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD"}, rows);
}

std::string images_table(const v1::ListImagesResponse& reply) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& image : reply.images()) {
    std::string size = human_size(image.size());
    if (image.repo_tags().empty()) {
      std::string repo = "<none>";
      if (!image.repo_digests().empty()) repo = split_repo_tag(image.repo_digests(0)).first;
      rows.push_back({repo, "<none>", short_id(image.id()), size});
    }
    for (const auto& tag : image.repo_tags()) {
      auto [repo, t] = split_repo_tag(tag);
      rows.push_back({repo, t, short_id(image.id()), size});
    }
  }
  return render_table({"IMAGE", "TAG", "IMAGE ID", "SIZE"}, rows);
}

std::string events_table(const json& events, TimePoint now) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : items_of(events)) {
    if (!e.is_object()) continue;
    // kubectl's LAST SEEN: lastTimestamp, else eventTime, else the object's creation.
    json when = e.value("lastTimestamp", json());
    if (!when.is_string()) when = e.value("eventTime", json());
    if (!when.is_string() && e.contains("metadata")) when = e["metadata"].value("creationTimestamp", json());
    std::string object = "<none>";
    if (e.contains("involvedObject") && e["involvedObject"].is_object()) {
      const json& o = e["involvedObject"];
      std::string kind = text_of(o, "kind", "");
      std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char ch) { return std::tolower(ch); });
      object = (kind.empty() ? "" : kind + "/") + text_of(o, "name", "");
    }
    rows.push_back({age_since(when, now), text_of(e, "type"), text_of(e, "reason"), object, text_of(e, "message", "")});
  }
  return render_table({"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}, rows);
}

std::string probes_table(const json& probes, TimePoint now) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : items_of(probes)) {
    if (!p.is_object()) continue;
    std::string next = "-";
    if (p.value("running", false)) {
      next = "running";
    } else if (p.contains("nextRunTime") && p["nextRunTime"].is_string()) {
      auto when = parse_rfc3339(p["nextRunTime"].get<std::string>());
      if (when.ok()) next = *when <= now ? "now" : "in " + human_duration(*when - now);
    }
    std::string changed = p.contains("lastTransitionTime") && p["lastTransitionTime"].is_string()
                              ? age_since(p["lastTransitionTime"], now) + " ago"
                              : "-";
    rows.push_back({text_of(p, "namespace") + "/" + text_of(p, "pod"), text_of(p, "container"), text_of(p, "probe"),
                    text_of(p, "handler"), text_of(p, "result"), std::to_string(p.value("successes", 0)),
                    std::to_string(p.value("failures", 0)), changed, next, text_of(p, "message", "")});
  }
  return render_table({"POD", "CONTAINER", "PROBE", "HANDLER", "RESULT", "SUCCESSES", "FAILURES", "LAST CHANGE",
                       "NEXT RUN", "MESSAGE"},
                      rows);
}

std::string services_table(const json& services) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : items_of(services)) {
    if (!s.is_object()) continue;
    // Either flat entries or v1 Service objects (metadata + spec).
    const json& meta = s.contains("metadata") ? s["metadata"] : s;
    const json& spec = s.contains("spec") ? s["spec"] : s;
    rows.push_back({text_of(meta, "namespace", "default"), text_of(meta, "name"), text_of(spec, "type", "ClusterIP"),
                    text_of(spec, "clusterIP"), ports_of(spec), endpoints_of(s)});
  }
  return render_table({"NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "PORT(S)", "ENDPOINTS"}, rows);
}

}  // namespace nodeagent::ctl
