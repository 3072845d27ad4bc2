#include "agent/nodeapi/auth_attributes.h"

namespace nodeagent::nodeapi {

bool is_subpath(const std::string& path, const std::string& base) {
  std::string b = base;
  if (!b.empty() && b.back() == '/') b.pop_back();
  return path == b || (path.size() > b.size() && path.compare(0, b.size(), b) == 0 && path[b.size()] == '/');
}

NodeAttributes node_request_attributes(const std::string& method, const std::string& path) {
  NodeAttributes a;
  if (method == "POST") a.verb = "create";
  else if (method == "GET") a.verb = "get";
  else if (method == "PUT") a.verb = "update";
  else if (method == "PATCH") a.verb = "patch";
  else if (method == "DELETE") a.verb = "delete";

  if (is_subpath(path, "/allocatedPods") || is_subpath(path, "/pods")) a.subresources.push_back("pods");
  else if (is_subpath(path, "/healthz")) a.subresources.push_back("healthz");
  else if (is_subpath(path, "/configz")) a.subresources.push_back("configz");
  else if (is_subpath(path, "/runningpods/")) a.subresources.push_back("pods");

  if (is_subpath(path, "/stats/")) a.subresources.push_back("stats");
  else if (is_subpath(path, "/metrics")) a.subresources.push_back("metrics");
  else if (is_subpath(path, "/logs/")) a.subresources.push_back("log");
  else if (is_subpath(path, "/checkpoint/")) a.subresources.push_back("checkpoint");
  else if (is_subpath(path, "/statusz")) a.subresources.push_back("statusz");
  else if (is_subpath(path, "/flagz")) a.subresources.push_back("configz");
  else a.subresources.push_back("proxy");
  return a;
}

std::string forbidden_message(const std::string& user, const NodeAttributes& attrs) {
  std::string subs;
  for (const auto& s : attrs.subresources) subs += (subs.empty() ? "" : " ") + s;
  return "Forbidden (user=" + user + ", verb=" + attrs.verb + ", resource=nodes, subresource(s)=[" + subs + "])\n";
}

}  // namespace nodeagent::nodeapi
