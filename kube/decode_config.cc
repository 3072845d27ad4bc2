// Decoders for ConfigMap and Secret bodies: base64 byte maps (data, binaryData) and string maps.
#include "kube/base64.h"
#include "kube/decode_parts.h"

namespace nodeagent::kube::detail {

ByteMap decode_byte_map(ObjectReader& r, const std::string& key) {
  ByteMap out;
  for (auto& [k, text] : r.string_map(key)) {
    auto bytes = base64_decode(text);
    if (!bytes) {
      r.error(invalid_value(r.path(key) + "[" + k + "]", quote(text), "illegal base64 data"));
      continue;
    }
    out[k] = std::move(*bytes);
  }
  return out;
}

ConfigMap decode_config_map_body(ObjectReader& r) {
  ConfigMap cm;
  if (auto m = r.object("metadata", decode_object_meta)) cm.metadata = *m;
  cm.data = r.string_map("data");
  cm.binary_data = decode_byte_map(r, "binaryData");
  cm.immutable = r.opt_bool("immutable");
  return cm;
}

Secret decode_secret_body(ObjectReader& r) {
  Secret s;
  if (auto m = r.object("metadata", decode_object_meta)) s.metadata = *m;
  s.type = r.str("type");
  s.data = decode_byte_map(r, "data");
  s.string_data = r.string_map("stringData");
  s.immutable = r.opt_bool("immutable");
  return s;
}

}  // namespace nodeagent::kube::detail
