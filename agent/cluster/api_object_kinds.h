// What ApiObjectSource and ObjectWatches share about the four kinds a node reads by name: their
// URL and message names, and turning the API server's JSON into a kube::Object of that kind.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "kube/decode.h"
#include "util/result.h"

namespace nodeagent::cluster {

enum class ObjectKind { kConfigMap, kSecret, kPersistentVolume, kPersistentVolumeClaim };

struct ObjectKindInfo {
  const char* resource;  // URL: configmaps
  const char* singular;  // messages: configmap "x" not found
  const char* kind;      // JSON kind and ObjectChange::kind
};

const ObjectKindInfo& kind_info(ObjectKind kind);

// Fills in apiVersion/kind when the server left them out (a GET's answer has them, a list's
// items may not), decodes, and checks that the object is of `kind`; `where` names it in errors.
Result<kube::Object> decode_api_object(nlohmann::json doc, ObjectKind kind, const std::string& where);

bool immutable_object(const kube::Object& o);

// The client's "GET <url>: " prefix off, leaving the API server's own words, as kubelet shows them.
Error without_request(const Error& e);

}  // namespace nodeagent::cluster
