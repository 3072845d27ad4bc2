// Part of the object model (see types.h): ConfigMap and Secret (core/v1), what configMap and
// secret volumes and env references read.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "kube/types_meta.h"

namespace nodeagent::kube {

using ByteMap = std::map<std::string, std::string>;  // key -> raw bytes (base64 on the wire)

struct ConfigMap {
  ObjectMeta metadata;
  StringMap data;
  ByteMap binary_data;
  std::optional<bool> immutable;
};

struct Secret {
  ObjectMeta metadata;
  std::string type = "Opaque";  // defaulted; kubernetes.io/tls, kubernetes.io/dockerconfigjson, ...
  ByteMap data;                 // after defaults, stringData is merged in (as the API server does)
  StringMap string_data;        // write-only upstream: empty after defaults
  std::optional<bool> immutable;
};

}  // namespace nodeagent::kube
