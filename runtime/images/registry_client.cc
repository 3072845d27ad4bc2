// Registry protocol: URLs, the 401 → challenge → token → retry dance, and digest checks.
// Tokens are cached per repository for the life of the client (registries give them minutes;
// a stale one just costs one more 401 and a fresh token).
#include "runtime/images/registry_client.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "runtime/images/digest.h"
#include "runtime/images/www_authenticate.h"

namespace nodeagent::runtime::images {
namespace {

constexpr size_t kMaxManifestBytes = 4u << 20;  // containerd's limit too

std::string host_of(const std::string& domain) {
  if (!domain.empty() && domain.front() == '[') return domain.substr(0, domain.find(']') + 1);
  return domain.substr(0, domain.find(':'));
}

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string url_escape(const std::string& in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string header_value(const http::HttpResponse& r, const std::string& key) {
  auto it = r.headers.find(key);
  return it == r.headers.end() ? std::string() : it->second;
}

// The "message" of the first entry of a registry error body ({"errors":[{"code","message"}]}).
std::string registry_message(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const auto& e = doc["errors"][0];
    std::string code = e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
    std::string msg = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
    return code.empty() ? msg : code + ": " + msg;
  }
  return body.size() > 200 ? body.substr(0, 200) : body;
}

}  // namespace

Error registry_http_error(const http::HttpResponse& response, const std::string& what) {
  std::string msg = what + ": HTTP " + std::to_string(response.status);
  std::string detail = registry_message(response.body);
  if (!detail.empty()) msg += " (" + detail + ")";
  if (response.status == 404) return not_found(msg);
  if (response.status == 401 || response.status == 403) return Error{ErrorCode::kFailedPrecondition, msg};
  if (response.status >= 500 || response.status == 429) return unavailable(msg);
  return internal(msg);
}

RegistryClient::RegistryClient(http::HttpClient& http, RegistryOptions options) : http_(http), options_(std::move(options)) {}

std::string RegistryClient::base_url(const std::string& domain) const {
  std::string host = host_of(domain);
  bool plain = host == "127.0.0.1" || host == "localhost" || host == "[::1]" ||
               std::find(options_.insecure_registries.begin(), options_.insecure_registries.end(), domain) !=
                   options_.insecure_registries.end();
  std::string endpoint = domain == "docker.io" ? "registry-1.docker.io" : domain;
  return (plain ? "http://" : "https://") + endpoint;
}

std::vector<std::string> RegistryClient::auth_headers(const std::string& repository) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = authorization_.find(repository);
  if (it == authorization_.end()) return {};
  return {it->second};
}

Result<std::string> RegistryClient::fetch_token(const std::map<std::string, std::string>& challenge,
                                                const ImageReference& image, const RegistryAuth& auth) {
  auto realm = challenge.find("realm");
  if (realm == challenge.end() || realm->second.empty()) {
    return Error{ErrorCode::kFailedPrecondition, "registry " + image.domain + ": Bearer challenge without realm"};
  }
  auto scope = challenge.find("scope");
  auto service = challenge.find("service");
  std::string params;
  if (service != challenge.end()) params += "service=" + url_escape(service->second) + "&";
  params += "scope=" + url_escape(scope != challenge.end() ? scope->second : "repository:" + image.path + ":pull");

  http::HttpRequest req;
  if (!auth.identity_token.empty()) {
    // An identity token is an OAuth2 refresh token: POST it, like docker and containerd do.
    req.url = realm->second;
    req.form = "grant_type=refresh_token&client_id=nodeagent&refresh_token=" + url_escape(auth.identity_token) + "&" + params;
  } else {
    req.url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&") + params;
    req.username = auth.username;
    req.password = auth.password;
  }
  NA_ASSIGN_OR_RETURN(http::HttpResponse resp, http_.send(req, nullptr));
  if (resp.status != 200) return registry_http_error(resp, "registry " + image.domain + ": token from " + realm->second);
  auto doc = nlohmann::json::parse(resp.body, nullptr, false);
  for (const char* key : {"token", "access_token"}) {
    if (doc.is_object() && doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty()) {
      return doc[key].get<std::string>();
    }
  }
  return internal("registry " + image.domain + ": token response from " + realm->second + " has no token");
}

Result<http::HttpResponse> RegistryClient::authorized_get(const ImageReference& image, const std::string& url,
                                                    const std::vector<std::string>& headers,
                                                    const RegistryAuth& auth, const http::BodySink& sink) {
  const std::string repository = image.repository();
  for (int attempt = 0;; ++attempt) {
    http::HttpRequest req;
    req.url = url;
    req.headers = headers;
    for (auto& h : auth_headers(repository)) req.headers.push_back(h);
    auto resp = http_.send(req, sink);
    if (!resp.ok()) return resp.error().wrap("registry " + image.domain);
    if (resp->status != 401 || attempt > 0) return resp;

    // Answer the challenge once; a second 401 is returned to the caller as it is.
    std::string authorization;
    for (const auto& challenge : parse_www_authenticate(header_value(*resp, "www-authenticate"))) {
      if (challenge.scheme == "bearer") {
        NA_ASSIGN_OR_RETURN(std::string token, fetch_token(challenge.params, image, auth));
        authorization = "Authorization: Bearer " + token;
        break;
      }
      if (challenge.scheme == "basic" && !auth.username.empty()) {
        authorization = "Authorization: Basic " + base64(auth.username + ":" + auth.password);
        break;
      }
    }
    if (authorization.empty()) return resp;
    std::lock_guard<std::mutex> lock(mu_);
    authorization_[repository] = authorization;
  }
}

Result<FetchedManifest> RegistryClient::fetch_manifest(const ImageReference& image, const std::string& reference,
                                                       const RegistryAuth& auth) {
  const std::string what = "manifest " + image.repository() + ":" + reference;
  std::string url = base_url(image.domain) + "/v2/" + image.path + "/manifests/" + reference;
  std::string body;
  http::BodySink collect = [&body](std::string_view chunk) -> Status {
    if (body.size() + chunk.size() > kMaxManifestBytes) return invalid("larger than 4 MiB");
    body.append(chunk);
    return ok_status();
  };
  auto resp = authorized_get(image, url, {"Accept: " + manifest_accept_header()}, auth, collect);
  if (!resp.ok()) return resp.error().wrap(what);
  if (resp->status != 200) return registry_http_error(*resp, what + " from registry " + image.domain);

  FetchedManifest out;
  out.descriptor.digest = sha256_digest(body);
  out.descriptor.size = static_cast<int64_t>(body.size());
  if (is_valid_digest(reference) && reference != out.descriptor.digest) {
    return invalid(what + ": content has digest " + out.descriptor.digest + ", not the one asked for");
  }
  std::string advertised = header_value(*resp, "docker-content-digest");
  if (!advertised.empty() && advertised != out.descriptor.digest) {
    return invalid(what + ": content has digest " + out.descriptor.digest + " but the registry says " + advertised);
  }
  NA_ASSIGN_OR_RETURN(std::string detected, detect_media_type(body));
  std::string content_type = header_value(*resp, "content-type");
  content_type = content_type.substr(0, content_type.find(';'));
  bool body_has_type = body.find("\"mediaType\"") != std::string::npos;
  out.descriptor.media_type = !body_has_type && (is_index_media_type(content_type) || is_manifest_media_type(content_type))
                                  ? content_type
                                  : detected;
  out.body = std::move(body);
  return out;
}

Status RegistryClient::fetch_blob(const ImageReference& image, const Descriptor& desc, const RegistryAuth& auth,
                                  const http::BodySink& sink) {
  const std::string what = "blob " + desc.digest + " of " + image.repository();
  std::string url = base_url(image.domain) + "/v2/" + image.path + "/blobs/" + desc.digest;
  Sha256Stream hasher;
  http::BodySink verifying = [&](std::string_view chunk) -> Status {
    hasher.update(chunk);
    if (hasher.bytes() > desc.size) return invalid(what + ": more than the expected " + std::to_string(desc.size) + " bytes");
    return sink(chunk);
  };
  auto resp = authorized_get(image, url, {}, auth, verifying);
  if (!resp.ok()) return resp.error().wrap(what);
  if (resp->status != 200) return registry_http_error(*resp, what + " from registry " + image.domain);
  if (hasher.bytes() != desc.size) {
    return invalid(what + ": got " + std::to_string(hasher.bytes()) + " bytes, expected " + std::to_string(desc.size));
  }
  std::string got = hasher.finish();
  if (got != desc.digest) return invalid(what + ": content has digest " + got);
  return ok_status();
}

Result<std::string> RegistryClient::fetch_blob_bytes(const ImageReference& image, const Descriptor& desc,
                                                     const RegistryAuth& auth) {
  std::string body;
  NA_RETURN_IF_ERROR(fetch_blob(image, desc, auth, [&body](std::string_view chunk) {
    body.append(chunk);
    return ok_status();
  }));
  return body;
}

}  // namespace nodeagent::runtime::images
