// A small in-memory API server for the node join's unit tests: Nodes and Leases by path, with
// resourceVersions, POST (AlreadyExists), GET (NotFound), PUT (Conflict on a stale
// resourceVersion), PATCH of nodes/<name>/status as a strategic merge patch (maps merged,
// null removes, conditions merged by type, {"$patch":"replace"} replaces a list), and errors
// injected per request. Served through ScriptedApi, so the real ApiClient runs on top of it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/client/api_client.h"
#include "test/unit/kube/client/scripted_api.h"

namespace nodeagent::cluster::testing {

using nlohmann::json;

// Applies a strategic merge patch the way the API server does for the fields a Node status uses.
inline void apply_strategic_merge(json& target, const json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object();
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null()) {
      target.erase(k);
    } else if (v.is_object()) {
      apply_strategic_merge(target[k], v);
    } else if (v.is_array()) {
      json list = json::array();
      bool replace = false;
      for (const auto& e : v) {
        if (e.is_object() && e.value("$patch", "") == "replace") replace = true;
        else list.push_back(e);
      }
      if (k == "conditions" && !replace && target.contains(k) && target[k].is_array()) {
        json merged = target[k];
        for (const auto& e : list) {
          bool found = false;
          for (auto& m : merged)
            if (m.value("type", "") == e.value("type", "")) {
              apply_strategic_merge(m, e);
              found = true;
            }
          if (!found) merged.push_back(e);
        }
        target[k] = merged;
      } else {
        target[k] = list;
      }
    } else {
      target[k] = v;
    }
  }
}

struct InjectedError {
  long status;
  std::string reason;
  std::string message;
};

class FakeNodeApi {
 public:
  FakeNodeApi()
      : http_(std::make_shared<kube::client::testing::ScriptedApi>(
            [this](const http::HttpRequest& r) { return handle(r); })) {}

  kube::client::ClientConfig config() const {
    kube::client::ClientConfig c;
    c.source = "/etc/nodeagent/kubeconfig";
    c.server = "https://10.250.0.1:6443";
    c.user_name = "system:node:n1";
    return c;
  }
  std::shared_ptr<kube::client::testing::ScriptedApi> http() { return http_; }

  // The next request of `method` to `path` (exact, without the server) answers `e`.
  void fail_next(const std::string& method, const std::string& path, InjectedError e, int times = 1) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < times; ++i) failures_[method + " " + path].push_back(e);
  }
  // The user a SelfSubjectReview reports.
  void set_identity(const std::string& user) {
    std::lock_guard lock(mu_);
    identity_ = user;
  }
  // Every request fails to connect while set.
  void set_down(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  void put_object(const std::string& path, json object) {
    std::lock_guard lock(mu_);
    object["metadata"]["resourceVersion"] = std::to_string(++rv_);
    if (!object["metadata"].contains("uid")) object["metadata"]["uid"] = "uid-" + object["metadata"].value("name", "");
    objects_[path] = object;
  }
  // Changes a stored object as another client would (a new resourceVersion).
  void edit(const std::string& path, const std::function<void(json&)>& change) {
    std::lock_guard lock(mu_);
    change(objects_.at(path));
    objects_[path]["metadata"]["resourceVersion"] = std::to_string(++rv_);
  }
  json object(const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = objects_.find(path);
    return it == objects_.end() ? json() : it->second;
  }
  // "METHOD path" of every request, in order.
  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<json> bodies(const std::string& call) const {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (size_t i = 0; i < calls_.size(); ++i)
      if (calls_[i] == call) out.push_back(bodies_[i]);
    return out;
  }
  size_t count(const std::string& call) const { return bodies(call).size(); }
  void clear_calls() {
    std::lock_guard lock(mu_);
    calls_.clear();
    bodies_.clear();
  }

 private:
  static http::HttpResponse status(long code, const std::string& reason, const std::string& message) {
    return {code, {}, json{{"kind", "Status"}, {"status", "Failure"}, {"code", code}, {"reason", reason}, {"message", message}}.dump()};
  }

  http::HttpResponse handle(const http::HttpRequest& r) {
    std::lock_guard lock(mu_);
    const std::string server = "https://10.250.0.1:6443";
    std::string path = r.url.substr(server.size());
    const std::string query = path.find('?') == std::string::npos ? "" : path.substr(path.find('?'));
    path = path.substr(0, path.find('?'));
    const std::string method = r.method.empty() ? "GET" : r.method;
    calls_.push_back(method + " " + path);
    bodies_.push_back(r.body.empty() ? json() : json::parse(r.body, nullptr, false));
    if (down_) return {0, {}, ""};
    if (auto it = failures_.find(method + " " + path); it != failures_.end() && !it->second.empty()) {
      auto e = it->second.front();
      it->second.pop_front();
      return status(e.status, e.reason, e.message);
    }
    json body = bodies_.back();
    if (method == "GET") {
      auto it = objects_.find(path);
      if (it == objects_.end()) return status(404, "NotFound", path + " not found");
      return {200, {}, it->second.dump()};
    }
    if (method == "POST" && path == "/apis/authentication.k8s.io/v1/selfsubjectreviews") {
      body["status"]["userInfo"] = {{"username", identity_}, {"groups", {"system:nodes", "system:authenticated"}}};
      return {201, {}, body.dump()};
    }
    if (method == "POST") {
      const std::string name = body["metadata"].value("name", "");
      const std::string target = path + "/" + name;
      if (objects_.count(target)) return status(409, "AlreadyExists", name + " already exists");
      body["metadata"]["resourceVersion"] = std::to_string(++rv_);
      body["metadata"]["uid"] = "uid-" + name;
      objects_[target] = body;
      return {201, {}, body.dump()};
    }
    if (method == "PUT") {
      auto it = objects_.find(path);
      if (it == objects_.end()) return status(404, "NotFound", path + " not found");
      const std::string sent_rv = body["metadata"].value("resourceVersion", "");
      if (!sent_rv.empty() && sent_rv != it->second["metadata"].value("resourceVersion", ""))
        return status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again");
      body["metadata"]["resourceVersion"] = std::to_string(++rv_);
      body["metadata"]["uid"] = it->second["metadata"]["uid"];
      it->second = body;
      return {200, {}, body.dump()};
    }
    if (method == "PATCH") {
      std::string target = path;
      if (target.size() > 7 && target.compare(target.size() - 7, 7, "/status") == 0) target.resize(target.size() - 7);
      auto it = objects_.find(target);
      if (it == objects_.end()) return status(404, "NotFound", target + " not found");
      apply_strategic_merge(it->second, body);
      it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
      return {200, {}, it->second.dump()};
    }
    return status(405, "MethodNotAllowed", method);
  }

  std::shared_ptr<kube::client::testing::ScriptedApi> http_;
  mutable std::mutex mu_;
  std::map<std::string, json> objects_;
  std::map<std::string, std::deque<InjectedError>> failures_;
  std::vector<std::string> calls_;
  std::vector<json> bodies_;
  bool down_ = false;
  std::string identity_ = "system:node:n1";
  long rv_ = 100;
};

}  // namespace nodeagent::cluster::testing
