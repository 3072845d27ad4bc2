// What the node API's handlers see and give back, independent of the HTTP library: the parsed
// request, the authenticated user, a whole response, and a response written as it goes (chunked,
// for `logs -f`).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodeagent::nodeapi {

struct HttpRequest {
  std::string method;
  std::string target;                                // as sent: path and query
  std::string path;                                  // percent-decoded
  std::multimap<std::string, std::string> query;     // decoded
  std::map<std::string, std::string> headers;        // lower-case names
  std::string body;
  std::string remote;                                // "ip:port"

  // The first value of a query parameter, or "" (`present` says whether it was there).
  std::string param(const std::string& name, bool* present = nullptr) const;
  std::string header(const std::string& lower_name) const;
};

// The authenticated identity of a request (kubelet's user.Info).
struct User {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

HttpResponse text_response(int status, std::string body);
HttpResponse json_response(int status, std::string body);

// A response streamed to the client (Transfer-Encoding: chunked). The handler calls start() once,
// then write() as data comes; write() returns false once the client is gone.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual bool start(int status, const std::string& content_type,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;
  virtual bool write(std::string_view data) = 0;
  virtual bool started() const = 0;
  // The client went away or the server is stopping (checked without writing).
  virtual bool cancelled() = 0;
};

}  // namespace nodeagent::nodeapi
