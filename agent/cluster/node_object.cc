// This node's v1.Node and its status (see node_object.h).
#include "agent/cluster/node_object.h"

#include <algorithm>
#include <set>

#include "kube/quantity.h"
#include "kube/time.h"

namespace nodeagent::cluster {
namespace {

using nlohmann::json;
using kube::Quantity;

constexpr const char* kControllerManagedAttach = "volumes.kubernetes.io/controller-managed-attach-detach";

// kubelet's updateDefaultLabels list.
const std::vector<std::string>& default_label_keys() {
  static const std::vector<std::string> kKeys = {
      "kubernetes.io/hostname",         "topology.kubernetes.io/zone",  "topology.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
      "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type", "kubernetes.io/os",
      "kubernetes.io/arch",             "node.kubernetes.io/windows-build", "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch"};
  return kKeys;
}

struct Resource {
  std::string name;
  Quantity quantity;
};

std::vector<Resource> capacity_list(const NodeFacts& f) {
  std::vector<Resource> out = {
      {"cpu", Quantity::from_milli(f.cpu_millis, Quantity::Format::kDecimalSI)},
      {"memory", Quantity::from_value(f.memory_bytes, Quantity::Format::kBinarySI)},
      {"pods", Quantity::from_value(f.max_pods, Quantity::Format::kDecimalSI)},
      {"ephemeral-storage", Quantity::from_value(f.ephemeral_storage_bytes, Quantity::Format::kBinarySI)},
  };
  for (const auto& [name, bytes] : f.hugepages) out.push_back({name, Quantity::from_value(bytes, Quantity::Format::kBinarySI)});
  return out;
}

// kubelet's GetNodeAllocatableReservation: system + kube reserved + the hard eviction threshold.
int64_t reserved_milli(const NodeFacts& f, const std::string& name, const Quantity& capacity) {
  int64_t milli = 0;
  if (auto it = f.system_reserved.find(name); it != f.system_reserved.end()) milli += it->second.milli;
  if (auto it = f.kube_reserved.find(name); it != f.kube_reserved.end()) milli += it->second.milli;
  if (name == "memory") milli += f.eviction.memory_available_bytes * 1000;
  if (name == "ephemeral-storage" && f.eviction.nodefs_available_percent > 0) {
    // evictionapi.GetThresholdQuantity: the percentage is a float32, the product truncated.
    const float fraction = static_cast<float>(f.eviction.nodefs_available_percent) / 100.0f;
    milli += static_cast<int64_t>(static_cast<double>(capacity.value()) * static_cast<double>(fraction)) * 1000;
  }
  return milli;
}

json resource_list(const std::vector<Resource>& resources) {
  json out = json::object();
  for (const auto& r : resources) out[r.name] = kube::to_string(r.quantity);
  return out;
}

std::vector<Resource> allocatable_list(const NodeFacts& f) {
  std::vector<Resource> out;
  int64_t hugepages_milli = 0;
  for (const auto& r : capacity_list(f)) {
    Quantity q = r.quantity;
    q.milli = std::max<int64_t>(0, q.milli - reserved_milli(f, r.name, r.quantity));
    out.push_back({r.name, q});
    if (r.name.rfind("hugepages-", 0) == 0) hugepages_milli += r.quantity.milli;
  }
  // Pre-allocated huge pages are not available as ordinary memory.
  for (auto& r : out)
    if (r.name == "memory") r.quantity.milli = std::max<int64_t>(0, r.quantity.milli - hugepages_milli);
  return out;
}

json addresses(const NodeFacts& f) {
  json out = json::array();
  if (!f.node_ip.empty()) out.push_back({{"type", "InternalIP"}, {"address", f.node_ip}});
  if (!f.hostname.empty()) out.push_back({{"type", "Hostname"}, {"address", f.hostname}});
  return out;
}

json node_info(const NodeFacts& f) {
  // NodeSystemInfo's fields have no omitempty: the API server prints every one.
  json info = {{"machineID", f.machine_id},
          {"systemUUID", f.system_uuid},
          {"bootID", f.boot_id},
          {"kernelVersion", f.kernel_version},
          {"osImage", f.os_image},
          {"containerRuntimeVersion", f.container_runtime_version},
          {"kubeletVersion", f.kubelet_version},
          {"kubeProxyVersion", f.kube_proxy_version},
          {"operatingSystem", "linux"},
          {"architecture", f.architecture}};
  // The API server refuses a capacity of 0 ("must be greater than zero"): no swap, no field.
  if (f.swap_bytes > 0) info["swap"] = {{"capacity", f.swap_bytes}};
  return info;
}

json images_json(const std::vector<NodeImage>& images) {
  json out = json::array();
  for (const auto& i : images) {
    json e = {{"sizeBytes", i.size_bytes}};
    if (!i.names.empty()) e["names"] = i.names;
    out.push_back(std::move(e));
  }
  return out;
}

// errors.NewAggregate(...).Error(): nested lists flattened, duplicates dropped, one message
// alone, several as "[a, b]".
std::string aggregate_message(const std::vector<std::string>& messages) {
  std::vector<std::string> seen;
  for (const auto& m : messages)
    if (std::find(seen.begin(), seen.end(), m) == seen.end()) seen.push_back(m);
  if (seen.size() == 1) return seen[0];
  std::string out;
  for (const auto& m : seen) out += (out.empty() ? "" : ", ") + m;
  return "[" + out + "]";
}

struct PressureCondition {
  const char* type;
  bool under_pressure;
  const char* true_reason;
  const char* true_message;
  const char* true_event;
  const char* false_reason;
  const char* false_message;
  const char* false_event;
};

json* find_condition(json& conditions, const std::string& type) {
  for (auto& c : conditions)
    if (c.is_object() && c.value("type", "") == type) return &c;
  return nullptr;
}

// nodestatus.MemoryPressureCondition and its twins.
void set_pressure_condition(json& conditions, const PressureCondition& p, const std::string& now,
                            const std::string& node, std::vector<NodeEvent>& events) {
  json* c = find_condition(conditions, p.type);
  json fresh;
  if (!c) {
    fresh = {{"type", p.type}, {"status", "Unknown"}};
    c = &fresh;
  }
  (*c)["lastHeartbeatTime"] = now;
  const std::string status = c->value("status", "");
  if (p.under_pressure) {
    if (status != "True") {
      (*c)["status"] = "True";
      (*c)["reason"] = p.true_reason;
      (*c)["message"] = p.true_message;
      (*c)["lastTransitionTime"] = now;
      events.push_back({"Normal", p.true_event, "Node " + node + " status is now: " + p.true_event});
    }
  } else if (status != "False") {
    (*c)["status"] = "False";
    (*c)["reason"] = p.false_reason;
    (*c)["message"] = p.false_message;
    (*c)["lastTransitionTime"] = now;
    events.push_back({"Normal", p.false_event, "Node " + node + " status is now: " + p.false_event});
  }
  if (c == &fresh) conditions.push_back(std::move(fresh));
}

// nodestatus.ReadyCondition.
void set_ready_condition(json& conditions, const NodeHealth& h, const std::string& now, const std::string& node,
                         std::vector<NodeEvent>& events) {
  std::vector<std::string> errors;
  for (const auto* list : {&h.runtime_errors, &h.network_errors, &h.storage_errors})
    for (const auto& e : *list)
      if (!e.empty()) errors.push_back(e);
  json ready = {{"type", "Ready"},
                {"status", "True"},
                {"reason", "KubeletReady"},
                {"message", "kubelet is posting ready status"},
                {"lastHeartbeatTime", now}};
  if (!errors.empty()) {
    ready["status"] = "False";
    ready["reason"] = "KubeletNotReady";
    ready["message"] = aggregate_message(errors);
  }
  if (json* c = find_condition(conditions, "Ready")) {
    if (c->value("status", "") == ready["status"].get<std::string>() && c->contains("lastTransitionTime")) {
      ready["lastTransitionTime"] = (*c)["lastTransitionTime"];
    } else {
      ready["lastTransitionTime"] = now;
      const char* reason = errors.empty() ? "NodeReady" : "NodeNotReady";
      events.push_back({"Normal", reason, "Node " + node + " status is now: " + reason});
    }
    *c = std::move(ready);
  } else {
    ready["lastTransitionTime"] = now;
    conditions.push_back(std::move(ready));
  }
}

// Go's omitempty, roughly: what the API server would not print is not a difference.
bool is_empty(const json& v) {
  return v.is_null() || ((v.is_array() || v.is_object() || v.is_string()) && v.empty());
}

json canonical_resources(const json& list) {
  json out = json::object();
  if (!list.is_object()) return out;
  for (const auto& [k, v] : list.items()) {
    auto q = v.is_string() ? kube::parse_quantity(v.get<std::string>()) : Result<Quantity>(invalid(""));
    out[k] = q.ok() ? json(std::to_string(q->milli)) : v;
  }
  return out;
}

// A status prepared for comparison: empty fields dropped, quantities by value, conditions by
// type without heartbeat times.
json comparable(const json& status) {
  json out = json::object();
  if (!status.is_object()) return out;
  for (const auto& [k, v] : status.items()) {
    if (is_empty(v)) continue;
    if (k == "capacity" || k == "allocatable") {
      out[k] = canonical_resources(v);
    } else if (k == "conditions" && v.is_array()) {
      json by_type = json::object();
      for (auto c : v) {
        if (!c.is_object()) continue;
        c.erase("lastHeartbeatTime");
        json kept = json::object();
        for (const auto& [ck, cv] : c.items())
          if (!is_empty(cv)) kept[ck] = cv;
        by_type[c.value("type", "")] = kept;
      }
      out[k] = by_type;
    } else {
      out[k] = v;
    }
  }
  return out;
}

// A ResourceList patch: changed and new keys, null for removed ones.
json map_patch(const json& old_list, const json& new_list) {
  json out = json::object();
  const json o = old_list.is_object() ? old_list : json::object();
  const json n = new_list.is_object() ? new_list : json::object();
  for (const auto& [k, v] : n.items())
    if (!o.contains(k) || o[k] != v) out[k] = v;
  for (const auto& [k, v] : o.items())
    if (!n.contains(k)) out[k] = nullptr;
  return out;
}

// MachineInfo's capacity and allocatable over what the Node has: resources others advertise
// (extended resources) stay, huge page sizes the host no longer has go, and allocatable is
// capacity minus the reservation for every capacity entry.
void set_resources(json& status, const NodeFacts& facts) {
  json capacity = status.contains("capacity") && status["capacity"].is_object() ? status["capacity"] : json::object();
  for (auto it = capacity.begin(); it != capacity.end();)
    it = it.key().rfind("hugepages-", 0) == 0 && !facts.hugepages.count(it.key()) ? capacity.erase(it) : std::next(it);
  capacity.update(node_capacity(facts));
  json allocatable = status.contains("allocatable") && status["allocatable"].is_object() ? status["allocatable"] : json::object();
  for (auto it = allocatable.begin(); it != allocatable.end();)
    it = !capacity.contains(it.key()) ? allocatable.erase(it) : std::next(it);
  for (const auto& [k, v] : capacity.items()) allocatable[k] = v;
  allocatable.update(node_allocatable(facts));
  status["capacity"] = std::move(capacity);
  status["allocatable"] = std::move(allocatable);
}

}  // namespace

std::vector<NodeImage> node_images(std::vector<runtime::ImageInfo> images, size_t max_images) {
  // The image manager's list is sorted biggest first; ties keep a stable, readable order.
  std::stable_sort(images.begin(), images.end(), [](const runtime::ImageInfo& a, const runtime::ImageInfo& b) {
    if (a.size != b.size) return a.size > b.size;
    return a.id < b.id;
  });
  if (images.size() > max_images) images.resize(max_images);
  std::vector<NodeImage> out;
  for (const auto& i : images) {
    NodeImage n;
    n.names = i.repo_digests;
    n.names.insert(n.names.end(), i.repo_tags.begin(), i.repo_tags.end());
    if (n.names.size() > 5) n.names.resize(5);
    n.size_bytes = i.size;
    out.push_back(std::move(n));
  }
  return out;
}

nlohmann::json node_capacity(const NodeFacts& facts) { return resource_list(capacity_list(facts)); }
nlohmann::json node_allocatable(const NodeFacts& facts) { return resource_list(allocatable_list(facts)); }

kube::MilliAmounts node_allocatable_amounts(const NodeFacts& facts) {
  kube::MilliAmounts out;
  for (const auto& r : allocatable_list(facts)) out[r.name] = r.quantity.milli;
  return out;
}

NodeStatusUpdate node_status(const NodeFacts& facts, const NodeHealth& health, const nlohmann::json& existing,
                             kube::Time now) {
  NodeStatusUpdate u;
  u.status = existing.is_object() ? existing : json::object();
  json& s = u.status;
  const std::string t = kube::format_time(now);

  s["addresses"] = addresses(facts);
  if (s["addresses"].empty()) s.erase("addresses");
  set_resources(s, facts);

  const std::string old_boot = s.contains("nodeInfo") && s["nodeInfo"].is_object() ? s["nodeInfo"].value("bootID", "") : "";
  if (!old_boot.empty() && !facts.boot_id.empty() && old_boot != facts.boot_id)
    u.events.push_back({"Warning", "NodeRebooted", "Node " + facts.name + " has been rebooted, boot id: " + facts.boot_id});
  // Fields of nodeInfo that others set (swap) are kept.
  json info = s.contains("nodeInfo") && s["nodeInfo"].is_object() ? s["nodeInfo"] : json::object();
  info.update(node_info(facts));
  s["nodeInfo"] = std::move(info);
  s["daemonEndpoints"] = {{"kubeletEndpoint", {{"Port", facts.kubelet_port}}}};
  if (facts.images.empty()) s.erase("images");
  else s["images"] = images_json(facts.images);

  if (!s.contains("conditions") || !s["conditions"].is_array()) s["conditions"] = json::array();
  json& conditions = s["conditions"];
  const std::vector<PressureCondition> pressures = {
      {"MemoryPressure", health.memory_pressure, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available",
       "NodeHasInsufficientMemory", "KubeletHasSufficientMemory", "kubelet has sufficient memory available",
       "NodeHasSufficientMemory"},
      {"DiskPressure", health.disk_pressure, "KubeletHasDiskPressure", "kubelet has disk pressure", "NodeHasDiskPressure",
       "KubeletHasNoDiskPressure", "kubelet has no disk pressure", "NodeHasNoDiskPressure"},
      {"PIDPressure", health.pid_pressure, "KubeletHasInsufficientPID", "kubelet has insufficient PID available",
       "NodeHasInsufficientPID", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
       "NodeHasSufficientPID"},
  };
  for (const auto& p : pressures) set_pressure_condition(conditions, p, t, facts.name, u.events);
  set_ready_condition(conditions, health, t, facts.name, u.events);
  return u;
}

nlohmann::json node_for_registration(const NodeFacts& facts, const NodeHealth& health, kube::Time now) {
  json node = {{"apiVersion", "v1"}, {"kind", "Node"}};
  json meta = {{"name", facts.name}, {"annotations", {{kControllerManagedAttach, "true"}}}};
  if (!facts.labels.empty()) meta["labels"] = facts.labels;
  node["metadata"] = std::move(meta);

  json spec = json::object();
  json taints = json::array();
  auto add_taint = [&taints](const Taint& t) {
    json j = {{"key", t.key}, {"effect", t.effect}};
    if (!t.value.empty()) j["value"] = t.value;
    taints.push_back(std::move(j));
  };
  bool has_unschedulable = false;
  for (const auto& t : facts.taints) {
    add_taint(t);
    has_unschedulable |= t.key == "node.kubernetes.io/unschedulable" && t.effect == "NoSchedule";
  }
  if (facts.unschedulable) {
    spec["unschedulable"] = true;
    // Tainted at once, so that nothing is scheduled before the controller would add it (#63897).
    if (!has_unschedulable) add_taint({"node.kubernetes.io/unschedulable", "", "NoSchedule"});
  }
  if (!taints.empty()) spec["taints"] = std::move(taints);
  node["spec"] = std::move(spec);
  node["status"] = node_status(facts, health, json::object(), now).status;
  return node;
}

bool node_status_changed(const nlohmann::json& old_status, const nlohmann::json& new_status) {
  return comparable(old_status) != comparable(new_status);
}

nlohmann::json node_status_patch(const nlohmann::json& old_status, const nlohmann::json& new_status) {
  const json o = old_status.is_object() ? old_status : json::object();
  const json n = new_status.is_object() ? new_status : json::object();
  json patch = json::object();
  std::set<std::string> keys;
  for (const auto& [k, v] : o.items()) keys.insert(k);
  for (const auto& [k, v] : n.items()) keys.insert(k);
  for (const auto& k : keys) {
    const json ov = o.contains(k) ? o[k] : json();
    const json nv = n.contains(k) ? n[k] : json();
    if (ov == nv) continue;
    if (is_empty(nv)) {
      if (!is_empty(ov)) patch[k] = nullptr;
    } else if (k == "capacity" || k == "allocatable") {
      json m = map_patch(ov, nv);
      if (!m.empty()) patch[k] = std::move(m);
    } else if (k == "conditions") {
      // Merged by type on the API server: only the conditions that differ.
      json changed = json::array();
      json old_conditions = ov.is_array() ? ov : json::array();
      for (const auto& c : nv) {
        const json* before = find_condition(old_conditions, c.value("type", ""));
        if (!before || *before != c) changed.push_back(c);
      }
      if (!changed.empty()) patch[k] = std::move(changed);
    } else if (k == "addresses") {
      // patchStrategy merge on type is wrong for addresses (two of a type, a changed order):
      // the list is replaced whole, as kubelet's fixupPatchForNodeStatusAddresses does.
      json list = nv;
      list.push_back({{"$patch", "replace"}});
      patch[k] = std::move(list);
    } else {
      patch[k] = nv;
    }
  }
  return {{"status", patch}};
}

nlohmann::json default_label_updates(const NodeFacts& facts, const nlohmann::json& existing_labels) {
  json out = json::object();
  for (const auto& key : default_label_keys()) {
    auto it = facts.labels.find(key);
    if (it == facts.labels.end()) continue;
    const bool has = existing_labels.is_object() && existing_labels.contains(key) && existing_labels[key].is_string();
    const std::string current = has ? existing_labels[key].get<std::string>() : "";
    if (current == it->second) continue;
    // An empty value removes the label rather than setting it empty.
    out[key] = it->second.empty() ? json() : json(it->second);
  }
  return out;
}

nlohmann::json reconcile_existing_node(const NodeFacts& facts, const nlohmann::json& existing_node) {
  const json meta = existing_node.is_object() && existing_node.contains("metadata") ? existing_node["metadata"] : json::object();
  json patch_meta = json::object();
  json labels = default_label_updates(facts, meta.value("labels", json::object()));
  if (!labels.empty()) patch_meta["labels"] = std::move(labels);
  const json annotations = meta.value("annotations", json::object());
  if (!annotations.is_object() || annotations.value(kControllerManagedAttach, "") != "true")
    patch_meta["annotations"] = {{kControllerManagedAttach, "true"}};
  if (patch_meta.empty()) return json::object();
  return {{"metadata", patch_meta}};
}

}  // namespace nodeagent::cluster
