// JSON decoding of OCI/Docker image documents with nlohmann::json, without exceptions: every
// field is type-checked, and errors name the document and the field.
#include "runtime/images/oci.h"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "runtime/images/digest.h"
#include "runtime/images/reference.h"

namespace nodeagent::runtime::images {
namespace {

using nlohmann::json;

Result<json> parse_json(const std::string& text, const char* what) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid(std::string(what) + ": not valid JSON");
  if (!doc.is_object()) return invalid(std::string(what) + ": not a JSON object");
  return doc;
}

std::string get_string(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> get_strings(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

Labels get_string_map(const json& obj, const char* key) {
  Labels out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& obj, const std::string& where) {
  if (!obj.is_object()) return invalid(where + ": not an object");
  Descriptor d;
  d.media_type = get_string(obj, "mediaType");
  d.digest = get_string(obj, "digest");
  if (!is_valid_digest(d.digest)) return invalid(where + ".digest: \"" + d.digest + "\" is not a sha256 digest");
  auto size = obj.find("size");
  if (size == obj.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    return invalid(where + ".size: missing or not a non-negative integer");
  }
  d.size = size->get<int64_t>();
  d.annotations = get_string_map(obj, "annotations");
  if (auto p = obj.find("platform"); p != obj.end() && p->is_object()) {
    d.platform = Platform{get_string(*p, "os"), get_string(*p, "architecture"), get_string(*p, "variant")};
  }
  return d;
}

}  // namespace

bool is_index_media_type(const std::string& mt) {
  return mt == media_type::kOciIndex || mt == media_type::kDockerManifestList;
}

bool is_manifest_media_type(const std::string& mt) {
  return mt == media_type::kOciManifest || mt == media_type::kDockerManifest;
}

std::string manifest_accept_header() {
  return std::string(media_type::kOciIndex) + ", " + media_type::kOciManifest + ", " +
         media_type::kDockerManifestList + ", " + media_type::kDockerManifest;
}

Result<std::string> detect_media_type(const std::string& text) {
  NA_ASSIGN_OR_RETURN(json doc, parse_json(text, "manifest"));
  std::string mt = get_string(doc, "mediaType");
  if (is_index_media_type(mt) || is_manifest_media_type(mt)) return mt;
  if (!mt.empty()) return invalid("manifest: unsupported mediaType \"" + mt + "\"");
  if (doc.contains("manifests")) return std::string(media_type::kOciIndex);
  if (doc.contains("layers")) return std::string(media_type::kOciManifest);
  return invalid("manifest: neither an image index nor a manifest (no mediaType, manifests or layers)");
}

Result<Index> parse_index(const std::string& text) {
  NA_ASSIGN_OR_RETURN(json doc, parse_json(text, "image index"));
  Index index;
  index.media_type = get_string(doc, "mediaType");
  auto manifests = doc.find("manifests");
  if (manifests == doc.end() || !manifests->is_array()) return invalid("image index: manifests: missing or not a list");
  for (size_t i = 0; i < manifests->size(); ++i) {
    NA_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor((*manifests)[i], "image index: manifests[" + std::to_string(i) + "]"));
    index.manifests.push_back(std::move(d));
  }
  return index;
}

Result<Manifest> parse_manifest(const std::string& text) {
  NA_ASSIGN_OR_RETURN(json doc, parse_json(text, "image manifest"));
  Manifest m;
  m.media_type = get_string(doc, "mediaType");
  auto config = doc.find("config");
  if (config == doc.end()) return invalid("image manifest: config: missing");
  NA_ASSIGN_OR_RETURN(m.config, parse_descriptor(*config, "image manifest: config"));
  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array()) return invalid("image manifest: layers: missing or not a list");
  for (size_t i = 0; i < layers->size(); ++i) {
    NA_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor((*layers)[i], "image manifest: layers[" + std::to_string(i) + "]"));
    m.layers.push_back(std::move(d));
  }
  return m;
}

Result<ConfigFile> parse_config(const std::string& text) {
  NA_ASSIGN_OR_RETURN(json doc, parse_json(text, "image config"));
  ConfigFile out;
  out.os = get_string(doc, "os");
  out.architecture = get_string(doc, "architecture");
  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object()) return invalid("image config: rootfs: missing");
  out.diff_ids = get_strings(*rootfs, "diff_ids");
  for (size_t i = 0; i < out.diff_ids.size(); ++i) {
    if (!is_valid_digest(out.diff_ids[i])) return invalid("image config: rootfs.diff_ids[" + std::to_string(i) + "]: not a sha256 digest");
  }
  if (auto c = doc.find("config"); c != doc.end() && c->is_object()) {
    out.config.entrypoint = get_strings(*c, "Entrypoint");
    out.config.cmd = get_strings(*c, "Cmd");
    out.config.env = get_strings(*c, "Env");
    out.config.working_dir = get_string(*c, "WorkingDir");
    out.config.user = get_string(*c, "User");
    out.config.stop_signal = get_string(*c, "StopSignal");
    out.config.labels = get_string_map(*c, "Labels");
  }
  return out;
}

Result<Descriptor> select_platform(const Index& index, const std::string& os, const std::string& architecture) {
  const Descriptor* first_match = nullptr;
  std::string offered;
  for (const auto& d : index.manifests) {
    if (!d.platform) continue;
    const Platform& p = *d.platform;
    offered += (offered.empty() ? "" : ", ") + p.os + "/" + p.architecture + (p.variant.empty() ? "" : "/" + p.variant);
    if (p.os != os || p.architecture != architecture) continue;
    // amd64 has no variants in practice, but arm64 images do carry "v8": prefer it like containerd.
    if (architecture == "arm64" && p.variant == "v8") return d;
    if (!first_match) first_match = &d;
  }
  if (first_match) return *first_match;
  return not_found("no manifest for platform " + os + "/" + architecture + " in image index (offers: " +
                   (offered.empty() ? "none" : offered) + ")");
}

Platform host_platform() {
  struct utsname u {};
  std::string machine = ::uname(&u) == 0 ? u.machine : "x86_64";
  if (machine == "x86_64") return {"linux", "amd64", ""};
  if (machine == "aarch64" || machine == "arm64") return {"linux", "arm64", "v8"};
  if (machine == "armv7l") return {"linux", "arm", "v7"};
  if (machine == "armv6l") return {"linux", "arm", "v6"};
  if (machine == "i686" || machine == "i386") return {"linux", "386", ""};
  return {"linux", machine, ""};  // ppc64le, s390x, riscv64 are spelled the same
}

std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> out;
  out.reserve(diff_ids.size());
  for (const auto& diff_id : diff_ids) {
    out.push_back(out.empty() ? diff_id : sha256_digest(out.back() + " " + diff_id));
  }
  return out;
}

}  // namespace nodeagent::runtime::images
