// libcurl transfer for one request. The status of the current response is tracked from header
// lines, because with redirects curl reports several responses in turn and only the final
// one's body is the one asked for.
#include "util/http/curl_http_client.h"

#include <cctype>
#include <mutex>

#include <curl/curl.h>

namespace nodeagent::http {
namespace {

struct Transfer {
  const BodySink* sink = nullptr;
  HttpResponse response;
  Status sink_status;
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

size_t on_header(char* data, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * nitems);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after a redirect or 100-continue): forget the previous one's headers.
    t->response.headers.clear();
    auto sp = line.find(' ');
    t->response.status = sp == std::string::npos ? 0 : std::strtol(line.c_str() + sp + 1, nullptr, 10);
    return size * nitems;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string key = line.substr(0, colon);
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    t->response.headers[key] = trim(line.substr(colon + 1));
  }
  return size * nitems;
}

size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  long status = t->response.status;
  if (status >= 300 && status < 400) return n;  // body of a redirect being followed
  if (status >= 200 && status < 300 && t->sink && *t->sink) {
    Status s = (*t->sink)(std::string_view(data, n));
    if (!s.ok()) {
      t->sink_status = s;
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    return n;
  }
  // Error bodies are small JSON documents; cap them so a misbehaving server cannot fill memory.
  if (t->response.body.size() < (64u << 20)) t->response.body.append(data, n);
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load() ? 1 : 0;  // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

// One connection cache and TLS session cache for every transfer, so that the API server's
// requests reuse connections instead of paying a TLS handshake each. curl's share interface
// wants a lock per data kind.
struct SharedCaches {
  CURLSH* share = curl_share_init();
  std::mutex locks[CURL_LOCK_DATA_LAST];
  SharedCaches() {
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* self) {
      static_cast<SharedCaches*>(self)->locks[data].lock();
    });
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* self) {
      static_cast<SharedCaches*>(self)->locks[data].unlock();
    });
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }
};

CURLSH* shared_caches() {
  static SharedCaches* caches = new SharedCaches();  // never freed: transfers may run at exit
  return caches->share;
}

}  // namespace

std::string method_of(const HttpRequest& request) {
  if (!request.method.empty()) return request.method;
  return request.form.empty() ? "GET" : "POST";
}

CurlHttpClient::CurlHttpClient(CurlOptions options) : options_(options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request, const BodySink& sink) {
  CURL* curl = curl_easy_init();
  if (!curl) return internal("curl_easy_init failed");
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());

  Transfer transfer;
  transfer.sink = &sink;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_SHARE, shared_caches());
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  if (!request.stream) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
    if (request.timeout_seconds > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(request.timeout_seconds));
  } else if (request.idle_timeout_seconds > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.idle_timeout_seconds));
  }
  if (request.cancel) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, request.cancel);
  }
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  const std::string method = method_of(request);
  const std::string& payload = request.form.empty() ? request.body : request.form;
  if (!request.form.empty() || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  }
  if (method != "GET" && method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!request.content_type.empty())
    headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
  if (!request.bearer_token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + request.bearer_token).c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const auto& tls = request.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  if (!tls.client_key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.username.empty() || !request.password.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.password.c_str());
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (!transfer.sink_status.ok()) return transfer.sink_status.error();
  if (rc == CURLE_ABORTED_BY_CALLBACK) return unavailable(method + " " + request.url + ": cancelled");
  if (rc != CURLE_OK) {
    std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    return unavailable(method + " " + request.url + ": " + detail);
  }
  return std::move(transfer.response);
}

}  // namespace nodeagent::http
