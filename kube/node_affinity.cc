// Required node affinity: reading, validation and matching (see node_affinity.h).
#include "kube/node_affinity.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "kube/names.h"
#include "kube/selector.h"

namespace nodeagent::kube {
namespace {

using nlohmann::json;

constexpr const char* kRequiredPath = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution";

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// The API server's ValidateNodeSelectorRequirement (labels) and
// validateNodeFieldSelectorRequirement (fields).
void validate_requirement(const NodeSelectorRequirement& r, const std::string& path, bool field, ErrorList& errs) {
  if (field) {
    if (r.key != "metadata.name") errs.push_back(not_supported(path + ".key", r.key, {"metadata.name"}));
    if (r.op != "In" && r.op != "NotIn") {
      errs.push_back(not_supported(path + ".operator", r.op, {"In", "NotIn"}));
    } else if (r.values.size() != 1) {
      errs.push_back(required_value(path + ".values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
    return;
  }
  if (r.op == "In" || r.op == "NotIn") {
    if (r.values.empty()) errs.push_back(required_value(path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (r.op == "Exists" || r.op == "DoesNotExist") {
    if (!r.values.empty()) errs.push_back(forbidden(path + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (r.op == "Gt" || r.op == "Lt") {
    if (r.values.size() != 1) errs.push_back(required_value(path + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  } else {
    errs.push_back(not_supported(path + ".operator", r.op, {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"}));
  }
  for (const auto& msg : is_qualified_name(r.key)) errs.push_back(invalid_string(path + ".key", r.key, msg));
}

std::vector<NodeSelectorRequirement> read_requirements(const json& list, const std::string& path, bool field,
                                                       ErrorList& errs) {
  std::vector<NodeSelectorRequirement> out;
  if (list.is_null()) return out;
  if (!list.is_array()) {
    errs.push_back(type_mismatch(path, "expected array"));
    return out;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& item = list[i];
    const auto here = at(path, i);
    if (!item.is_object()) {
      errs.push_back(type_mismatch(here, "expected object"));
      continue;
    }
    NodeSelectorRequirement r;
    const auto key = item.find("key");
    const auto op = item.find("operator");
    if (key != item.end() && key->is_string()) r.key = key->get<std::string>();
    if (op != item.end() && op->is_string()) r.op = op->get<std::string>();
    if (r.op.empty()) errs.push_back(required_value(here + ".operator"));
    if (const auto values = item.find("values"); values != item.end() && !values->is_null()) {
      if (!values->is_array()) {
        errs.push_back(type_mismatch(here + ".values", "expected array"));
      } else {
        for (size_t j = 0; j < values->size(); ++j) {
          if ((*values)[j].is_string()) r.values.push_back((*values)[j].get<std::string>());
          else errs.push_back(type_mismatch(at(here + ".values", j), "expected string"));
        }
      }
    }
    if (!r.op.empty()) validate_requirement(r, here, field, errs);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

bool requirement_holds(const NodeSelectorRequirement& r, const StringMap& values) {
  const auto it = values.find(r.key);
  const bool has = it != values.end();
  const auto listed = [&] { return has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end(); };
  if (r.op == "In") return listed();
  if (r.op == "NotIn") return !listed();
  if (r.op == "Exists") return has;
  if (r.op == "DoesNotExist") return !has;
  if ((r.op == "Gt" || r.op == "Lt") && has && r.values.size() == 1) {
    const auto label = parse_int(it->second);
    const auto bound = parse_int(r.values[0]);
    if (!label || !bound) return false;
    return r.op == "Gt" ? *label > *bound : *label < *bound;
  }
  return false;
}

bool term_holds(const NodeSelectorTerm& term, const NodeIdentity& node) {
  // A term with no requirements selects no node (upstream's nodeSelectorTerm matcher).
  if (term.match_expressions.empty() && term.match_fields.empty()) return false;
  for (const auto& r : term.match_expressions)
    if (!requirement_holds(r, node.labels)) return false;
  const StringMap fields = {{"metadata.name", node.name}};
  for (const auto& r : term.match_fields)
    if (!requirement_holds(r, fields)) return false;
  return true;
}

}  // namespace

ParsedNodeAffinity parse_required_node_affinity(const RawJson& affinity) {
  ParsedNodeAffinity out;
  if (affinity.empty()) return out;
  const auto doc = json::parse(affinity, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;  // the decoder has checked it is an object
  const auto node_affinity = doc.find("nodeAffinity");
  if (node_affinity == doc.end() || !node_affinity->is_object()) return out;
  const auto required = node_affinity->find("requiredDuringSchedulingIgnoredDuringExecution");
  if (required == node_affinity->end() || required->is_null()) return out;
  const std::string path = kRequiredPath;
  if (!required->is_object()) {
    out.errors.push_back(type_mismatch(path, "expected object"));
    return out;
  }
  RequiredNodeAffinity req;
  const auto terms = required->find("nodeSelectorTerms");
  const std::string terms_path = path + ".nodeSelectorTerms";
  if (terms == required->end() || !terms->is_array() || terms->empty()) {
    if (terms != required->end() && !terms->is_null() && !terms->is_array()) {
      out.errors.push_back(type_mismatch(terms_path, "expected array"));
    } else {
      out.errors.push_back(required_value(terms_path, "must have at least one node selector term"));
    }
    return out;
  }
  for (size_t i = 0; i < terms->size(); ++i) {
    const auto& t = (*terms)[i];
    const auto here = at(terms_path, i);
    NodeSelectorTerm term;
    if (!t.is_object()) {
      out.errors.push_back(type_mismatch(here, "expected object"));
      continue;
    }
    term.match_expressions = read_requirements(t.value("matchExpressions", json()), here + ".matchExpressions", false, out.errors);
    term.match_fields = read_requirements(t.value("matchFields", json()), here + ".matchFields", true, out.errors);
    req.terms.push_back(std::move(term));
  }
  out.required = std::move(req);
  return out;
}

bool matches_node_selector_and_affinity(const Pod& pod, const NodeIdentity& node) {
  if (!selector_matches(pod.spec.node_selector, node.labels)) return false;
  const auto parsed = parse_required_node_affinity(pod.spec.affinity);
  if (!parsed.errors.empty()) return false;
  if (!parsed.required) return true;
  return std::any_of(parsed.required->terms.begin(), parsed.required->terms.end(),
                     [&](const NodeSelectorTerm& t) { return term_holds(t, node); });
}

}  // namespace nodeagent::kube
