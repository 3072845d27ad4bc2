// REST calls to the Kubernetes API server: JSON in and out, the credentials of one kubeconfig,
// client-side QPS/burst, and the API server's errors turned into error codes callers act on
// (404 kNotFound, 409 AlreadyExists kAlreadyExists / Conflict kConflict, 410 kGone,
// 401 kUnauthenticated, 403 kPermissionDenied, 5xx and transport failures kUnavailable).
// Messages keep the API server's own words, which name the identity and what was refused:
//   GET /api/v1/secrets: secrets is forbidden: User "system:node:n1" cannot list resource ...
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/client/kubeconfig.h"
#include "kube/client/rate_limiter.h"
#include "util/http/http_client.h"
#include "util/result.h"

namespace nodeagent::kube::client {

struct ClientOptions {
  double qps = 50;    // kubelet's kubeAPIQPS
  int burst = 100;    // kubelet's kubeAPIBurst
  std::string user_agent = "nodeagent";
  int request_timeout_seconds = 30;
};

enum class PatchType { kMerge, kStrategicMerge, kJson };

struct WatchEvent {
  std::string type;  // ADDED MODIFIED DELETED BOOKMARK ERROR
  nlohmann::json object;
};

class ApiClient {
 public:
  ApiClient(std::shared_ptr<http::HttpClient> http, ClientConfig config, ClientOptions options = {});

  // `path` starts with /api or /apis and may carry a query.
  Result<nlohmann::json> get(const std::string& path);
  Result<nlohmann::json> create(const std::string& path, const nlohmann::json& body);
  Result<nlohmann::json> replace(const std::string& path, const nlohmann::json& body);
  Result<nlohmann::json> patch(const std::string& path, const nlohmann::json& body, PatchType type);
  // DELETE with DeleteOptions (e.g. {"gracePeriodSeconds":0,"preconditions":{"uid":...}}).
  Result<nlohmann::json> remove(const std::string& path, const nlohmann::json& options = nullptr);

  // A watch (`path` with ?watch=true&...): every event goes to on_event until the server ends
  // the stream (ok), nothing arrives for idle_timeout (kUnavailable), `cancel` is set, or
  // on_event returns an error. An ERROR event is returned as the error it carries (410 kGone).
  Status watch(const std::string& path, std::chrono::seconds idle_timeout, const std::atomic<bool>* cancel,
               const std::function<Status(const WatchEvent&)>& on_event);

  // The credentials in use; a rotated client certificate replaces them for later requests.
  ClientConfig config() const;
  void set_client_certificate(const std::string& cert_file, const std::string& key_file);

 private:
  http::HttpRequest request(const std::string& method, const std::string& path);
  Result<nlohmann::json> send(http::HttpRequest request, const std::string& path);
  bool reload_token();  // true when the tokenFile now holds another token

  std::shared_ptr<http::HttpClient> http_;
  mutable std::mutex mu_;
  ClientConfig config_;
  ClientOptions options_;
  RateLimiter limiter_;
};

// The error an API server response stands for (its Status body's message, else the HTTP status).
Error api_error(const std::string& method, const std::string& path, long http_status, const std::string& body,
                const ClientConfig& config);

// Percent-encodes a query parameter value (field and label selectors).
std::string query_escape(const std::string& value);

}  // namespace nodeagent::kube::client
