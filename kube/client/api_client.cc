#include "kube/client/api_client.h"

#include "util/read_file.h"

namespace nodeagent::kube::client {
namespace {

ErrorCode code_for(long http_status, const std::string& reason) {
  switch (http_status) {
    case 400: case 422: return ErrorCode::kInvalid;
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 409: return reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kConflict;
    case 410: return ErrorCode::kGone;
    case 504: return ErrorCode::kDeadlineExceeded;
    default: return http_status >= 500 || http_status == 429 ? ErrorCode::kUnavailable : ErrorCode::kInternal;
  }
}

}  // namespace

std::string query_escape(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Error api_error(const std::string& method, const std::string& path, long http_status, const std::string& body,
                const ClientConfig& config) {
  std::string reason, message;
  auto status = nlohmann::json::parse(body, nullptr, false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    reason = status.value("reason", "");
    message = status.value("message", "");
  }
  if (message.empty()) message = "HTTP " + std::to_string(http_status) + (body.empty() ? "" : ": " + body.substr(0, 200));
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
  if (http_status == 401) {
    std::string who = config.user_name.empty() ? "the client" : "user \"" + config.user_name + "\"";
    message = "the API server " + config.server + " refused the credentials of " + who + " from kubeconfig " +
              config.source + ": " + message;
  }
  return Error{code_for(http_status, reason), method + " " + path + ": " + message};
}

ApiClient::ApiClient(std::shared_ptr<http::HttpClient> http, ClientConfig config, ClientOptions options)
    : http_(std::move(http)), config_(std::move(config)), options_(options), limiter_(options.qps, options.burst) {}

ClientConfig ApiClient::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void ApiClient::set_client_certificate(const std::string& cert_file, const std::string& key_file) {
  std::lock_guard lock(mu_);
  config_.client_cert_file = cert_file;
  config_.client_key_file = key_file;
}

http::HttpRequest ApiClient::request(const std::string& method, const std::string& path) {
  std::lock_guard lock(mu_);
  http::HttpRequest r;
  r.url = config_.server + path;
  r.method = method;
  r.headers = {"Accept: application/json", "User-Agent: " + options_.user_agent};
  r.bearer_token = config_.token;
  r.tls.ca_file = config_.ca_file;
  r.tls.client_cert_file = config_.client_cert_file;
  r.tls.client_key_file = config_.client_key_file;
  r.tls.insecure_skip_verify = config_.insecure_skip_verify;
  r.timeout_seconds = options_.request_timeout_seconds;
  return r;
}

bool ApiClient::reload_token() {
  std::lock_guard lock(mu_);
  if (config_.token_file.empty()) return false;
  auto read = read_text_file(config_.token_file);
  if (!read.ok()) return false;
  std::string token = *read;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty() || token == config_.token) return false;
  config_.token = token;
  return true;
}

Result<nlohmann::json> ApiClient::send(http::HttpRequest r, const std::string& path) {
  limiter_.acquire();
  auto resp = http_->send(r, nullptr);
  if (!resp.ok()) return resp.error();
  // A refused token read from a tokenFile may have been rotated on disk: read it again and
  // retry once with the new one, as client-go's cached token source does.
  if (resp->status == 401 && reload_token()) {
    r.bearer_token = config().token;
    limiter_.acquire();
    resp = http_->send(r, nullptr);
    if (!resp.ok()) return resp.error();
  }
  if (resp->status < 200 || resp->status >= 300) return api_error(r.method, path, resp->status, resp->body, config());
  if (resp->body.empty()) return nlohmann::json::object();
  auto doc = nlohmann::json::parse(resp->body, nullptr, false);
  if (doc.is_discarded()) return internal(r.method + " " + path + ": the API server's answer is not JSON");
  return doc;
}

Result<nlohmann::json> ApiClient::get(const std::string& path) { return send(request("GET", path), path); }

Result<nlohmann::json> ApiClient::create(const std::string& path, const nlohmann::json& body) {
  auto r = request("POST", path);
  r.body = body.dump();
  r.content_type = "application/json";
  return send(std::move(r), path);
}

Result<nlohmann::json> ApiClient::replace(const std::string& path, const nlohmann::json& body) {
  auto r = request("PUT", path);
  r.body = body.dump();
  r.content_type = "application/json";
  return send(std::move(r), path);
}

Result<nlohmann::json> ApiClient::patch(const std::string& path, const nlohmann::json& body, PatchType type) {
  auto r = request("PATCH", path);
  r.body = body.dump();
  switch (type) {
    case PatchType::kMerge: r.content_type = "application/merge-patch+json"; break;
    case PatchType::kStrategicMerge: r.content_type = "application/strategic-merge-patch+json"; break;
    case PatchType::kJson: r.content_type = "application/json-patch+json"; break;
  }
  return send(std::move(r), path);
}

Result<nlohmann::json> ApiClient::remove(const std::string& path, const nlohmann::json& options) {
  auto r = request("DELETE", path);
  if (!options.is_null()) {
    r.body = options.dump();
    r.content_type = "application/json";
  }
  return send(std::move(r), path);
}

Status ApiClient::watch(const std::string& path, std::chrono::seconds idle_timeout, const std::atomic<bool>* cancel,
                        const std::function<Status(const WatchEvent&)>& on_event) {
  auto r = request("GET", path);
  r.stream = true;
  r.idle_timeout_seconds = static_cast<int>(idle_timeout.count());
  r.cancel = cancel;
  r.timeout_seconds = 0;
  std::string pending;  // a partial line: events are newline-delimited JSON documents
  Status event_status;
  auto sink = [&](std::string_view chunk) -> Status {
    pending.append(chunk);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.empty()) continue;
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) return internal("GET " + path + ": a watch event is not JSON");
      WatchEvent e{doc.value("type", ""), doc.contains("object") ? doc["object"] : nlohmann::json()};
      if (e.type == "ERROR") {
        long code = e.object.value("code", 500L);
        event_status = api_error("GET", path, code, e.object.dump(), config());
        return event_status;
      }
      NA_RETURN_IF_ERROR(on_event(e));
    }
    pending.erase(0, start);
    return ok_status();
  };
  limiter_.acquire();
  auto resp = http_->send(r, sink);
  if (!event_status.ok()) return event_status;
  if (!resp.ok()) return resp.error();
  if (resp->status < 200 || resp->status >= 300) return api_error("GET", path, resp->status, resp->body, config());
  return ok_status();
}

}  // namespace nodeagent::kube::client
