// Part of the object model (see types.h): shared aliases, IntOrString, ObjectMeta, references.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kube/quantity.h"

namespace nodeagent::kube {

using Time = std::chrono::system_clock::time_point;
using StringMap = std::map<std::string, std::string>;
using ResourceList = std::map<std::string, Quantity>;  // "cpu", "memory", "ephemeral-storage", ...
using RawJson = std::string;                          // compact JSON text; "" = absent

// intstr.IntOrString: containerPort references like targetPort: 8080 or targetPort: "http".
struct IntOrString {
  bool is_string = false;
  int32_t int_value = 0;
  std::string str_value;

  static IntOrString from_int(int32_t v) { return {false, v, {}}; }
  static IntOrString from_string(std::string s) { return {true, 0, std::move(s)}; }
  std::string to_string() const { return is_string ? str_value : std::to_string(int_value); }
  friend bool operator==(const IntOrString&, const IntOrString&) = default;
};

// ---------------------------------------------------------------------------------------------
// Metadata

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;  // JSON "namespace" (a C++ keyword); defaulted to "default"
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::optional<Time> creation_timestamp;
  std::optional<Time> deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  RawJson managed_fields;  // kept for round trips, never interpreted
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

struct ObjectReference {
  std::string kind;
  std::string namespace_;  // JSON "namespace"
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
  friend bool operator==(const ObjectReference&, const ObjectReference&) = default;
};

}  // namespace nodeagent::kube
