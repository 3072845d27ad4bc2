#include "probes/hooks/curl_hook_http.h"

#include <strings.h>

#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>

#include "network/netlink/netns.h"

namespace nodeagent::probes::hooks {
namespace {

constexpr int kMaxRedirects = 10;  // Go's default CheckRedirect
constexpr size_t kMaxBody = 10 * 1024;  // kubelet reads at most 10 KiB of a hook's response

struct Easy {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~Easy() {
    curl_slist_free_all(headers);
    if (curl) curl_easy_cleanup(curl);
  }
};

size_t discard_body(char*, size_t size, size_t nmemb, void* user) {
  auto* read = static_cast<size_t*>(user);
  *read += size * nmemb;
  return *read > kMaxBody ? 0 : size * nmemb;  // stop reading past the cap (not an error: see below)
}

std::string host_of(const std::string& url) {
  CURLU* u = curl_url();
  std::string host;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) host = h;
    curl_free(h);
  }
  curl_url_cleanup(u);
  return host;
}

struct Response {
  long status = 0;
  std::string location;  // the absolute URL of a redirect, "" if none
};

// One request, no redirect followed. Errors as Go's client prints them: Get "<url>": <why>.
Result<Response> get_once(const std::string& url, const std::vector<std::string>& headers,
                          std::chrono::milliseconds timeout, bool* http_answer_to_https) {
  Easy e;
  if (!e.curl) return Error{ErrorCode::kInternal, "curl_easy_init failed"};
  for (const auto& h : headers) e.headers = curl_slist_append(e.headers, h.c_str());
  char error_buffer[CURL_ERROR_SIZE] = {};
  size_t body_read = 0;
  curl_easy_setopt(e.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.curl, CURLOPT_HTTPHEADER, e.headers);
  curl_easy_setopt(e.curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e.curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e.curl, CURLOPT_SSL_VERIFYPEER, 0L);  // kubelet: InsecureSkipVerify
  curl_easy_setopt(e.curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(e.curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(e.curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(e.curl, CURLOPT_WRITEDATA, &body_read);
  if (timeout.count() > 0) curl_easy_setopt(e.curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  CURLcode rc = curl_easy_perform(e.curl);
  Response r;
  curl_easy_getinfo(e.curl, CURLINFO_RESPONSE_CODE, &r.status);
  if (rc == CURLE_WRITE_ERROR && r.status > 0) rc = CURLE_OK;  // the body cap, not a failure
  if (rc != CURLE_OK) {
    std::string why = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    if (http_answer_to_https && rc == CURLE_SSL_CONNECT_ERROR && why.find("wrong version number") != std::string::npos)
      *http_answer_to_https = true;
    const auto code = rc == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kDeadlineExceeded : ErrorCode::kUnavailable;
    return Error{code, fmt::format("Get \"{}\": {}", url, why)};
  }
  char* location = nullptr;
  if (r.status >= 300 && r.status < 400 && curl_easy_getinfo(e.curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
      location)
    r.location = location;
  return r;
}

// GET with kubelet's redirect rule: follow to the same host name only.
Result<HttpGetResult> get_following(std::string url, const std::vector<std::string>& headers,
                                    std::chrono::milliseconds timeout, bool* http_answer_to_https) {
  const std::string first_host = host_of(url);
  for (int redirects = 0;; ++redirects) {
    NA_ASSIGN_OR_RETURN(Response r, get_once(url, headers, timeout, redirects == 0 ? http_answer_to_https : nullptr));
    if (r.location.empty() || host_of(r.location) != first_host) return HttpGetResult{r.status, false};
    if (redirects + 1 >= kMaxRedirects)
      return Error{ErrorCode::kUnavailable, fmt::format("Get \"{}\": stopped after 10 redirects", r.location)};
    url = r.location;
  }
}

}  // namespace

CurlHookHttp::CurlHookHttp() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpGetResult> CurlHookHttp::get(const HttpGetRequest& request) {
  return network::run_in_netns_for<HttpGetResult>(request.netns_path, [&]() -> Result<HttpGetResult> {
    bool http_answer = false;
    auto got = get_following(request.url, request.headers, request.timeout, &http_answer);
    if (got.ok() || !http_answer || request.url.rfind("https://", 0) != 0) return got;
    // The server answered HTTPS with HTTP: kubelet retries once with HTTP, without Authorization.
    std::vector<std::string> headers;
    for (const auto& h : request.headers)
      if (strncasecmp(h.c_str(), "authorization:", 14) != 0) headers.push_back(h);
    auto retried = get_following("http://" + request.url.substr(8), headers, request.timeout, nullptr);
    if (!retried.ok()) return got.error();
    retried->fell_back_to_http = true;
    return retried;
  });
}

}  // namespace nodeagent::probes::hooks
