// A client for the Docker Registry HTTP API v2 / OCI distribution spec: manifests and blobs,
// with Bearer-token and Basic authentication. Every manifest and blob is checked against its
// sha256 digest before it is handed on (blobs while they stream).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "util/result.h"
#include "util/http/http_client.h"
#include "runtime/images/oci.h"
#include "runtime/images/reference.h"
#include "runtime/types.h"

namespace nodeagent::runtime::images {

struct RegistryOptions {
  // Registries ("host:port") spoken to over plain HTTP; 127.0.0.1, localhost and [::1] always are.
  std::vector<std::string> insecure_registries;
};

struct FetchedManifest {
  Descriptor descriptor;  // media type, digest (verified) and size of `body`
  std::string body;
};

class RegistryClient {
 public:
  RegistryClient(http::HttpClient& http, RegistryOptions options);

  // GET /v2/<path>/manifests/<tag or digest>. When `reference` is a digest the body must hash to
  // it; for a tag, a Docker-Content-Digest header must agree with the body's digest.
  Result<FetchedManifest> fetch_manifest(const ImageReference& image, const std::string& reference,
                                         const RegistryAuth& auth);

  // GET /v2/<path>/blobs/<digest>, streamed to `sink`; fails (kInvalid) when the bytes do not
  // match desc.digest or desc.size, after the sink has seen them, so a sink must not commit
  // anything before get_blob returns ok.
  Status fetch_blob(const ImageReference& image, const Descriptor& desc, const RegistryAuth& auth,
                    const http::BodySink& sink);

  // Convenience for small blobs (configs): the whole verified body.
  Result<std::string> fetch_blob_bytes(const ImageReference& image, const Descriptor& desc,
                                       const RegistryAuth& auth);

  // "https://host" or "http://host" for a registry domain (docker.io → registry-1.docker.io).
  std::string base_url(const std::string& domain) const;

 private:
  // GET with the auth dance: tries the cached token, and on 401 answers the challenge and retries once.
  Result<http::HttpResponse> authorized_get(const ImageReference& image, const std::string& url,
                                      const std::vector<std::string>& headers, const RegistryAuth& auth,
                                      const http::BodySink& sink);
  Result<std::string> fetch_token(const std::map<std::string, std::string>& challenge, const ImageReference& image,
                                  const RegistryAuth& auth);
  std::vector<std::string> auth_headers(const std::string& repository);

  http::HttpClient& http_;
  RegistryOptions options_;
  std::mutex mu_;
  std::map<std::string, std::string> authorization_;  // repository → "Authorization: ..." header
};

// Maps a registry error status to an Error naming what was fetched (404 → kNotFound, 401/403 →
// kFailedPrecondition, 5xx → kUnavailable, else kInternal), including the registry's message.
Error registry_http_error(const http::HttpResponse& response, const std::string& what);

}  // namespace nodeagent::runtime::images
