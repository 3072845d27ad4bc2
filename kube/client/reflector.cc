#include "kube/client/reflector.h"

#include <random>

#include "util/log.h"

namespace nodeagent::kube::client {

void strip_managed_fields(nlohmann::json& object) {
  if (auto m = object.find("metadata"); m != object.end() && m->is_object()) m->erase("managedFields");
}

std::string object_key(const nlohmann::json& object) {
  const auto& meta = object.contains("metadata") ? object["metadata"] : nlohmann::json::object();
  std::string ns = meta.value("namespace", "");
  std::string name = meta.value("name", "");
  return ns.empty() ? name : ns + "/" + name;
}

Reflector::Reflector(ApiClient& client, ReflectorOptions options, ChangeFn on_change, ErrorFn on_error)
    : client_(client), options_(std::move(options)), on_change_(std::move(on_change)), on_error_(std::move(on_error)) {}

Reflector::~Reflector() { stop(); }

void Reflector::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Reflector::resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

bool Reflector::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

std::string Reflector::query(bool watch) const {
  std::string q;
  auto add = [&q](const std::string& k, const std::string& v) { q += (q.empty() ? "?" : "&") + k + "=" + query_escape(v); };
  if (!options_.field_selector.empty()) add("fieldSelector", options_.field_selector);
  if (!options_.label_selector.empty()) add("labelSelector", options_.label_selector);
  if (watch) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    auto min = options_.min_watch_timeout.count();
    add("watch", "true");
    add("allowWatchBookmarks", "true");
    add("resourceVersion", resource_version());
    add("timeoutSeconds", std::to_string(min + std::uniform_int_distribution<long>(0, min)(rng)));
  } else {
    add("limit", std::to_string(options_.page_size));
  }
  return q;
}

Status Reflector::list() {
  ObjectMap fresh;
  std::string cont, rv;
  do {
    std::string path = options_.path + query(false) + (cont.empty() ? "" : "&continue=" + query_escape(cont));
    NA_ASSIGN_OR_RETURN(auto page, client_.get(path));
    // A list's items carry no kind or apiVersion (the list's kind names them, as client-go's
    // decoder assumes): set them, so that the objects read as the watch's do.
    const std::string list_kind = page.value("kind", "");
    const std::string item_kind = list_kind.size() > 4 && list_kind.ends_with("List") ? list_kind.substr(0, list_kind.size() - 4) : "";
    const std::string api_version = page.value("apiVersion", "");
    if (page.contains("items") && page["items"].is_array())
      for (auto& item : page["items"]) {
        if (item.is_object() && !item.contains("kind") && !item_kind.empty()) item["kind"] = item_kind;
        if (item.is_object() && !item.contains("apiVersion") && !api_version.empty()) item["apiVersion"] = api_version;
        if (options_.strip_managed_fields) strip_managed_fields(item);
        std::string key = object_key(item);  // before the move: `a = b` evaluates b first
        fresh[key] = std::move(item);
      }
    const auto& meta = page.value("metadata", nlohmann::json::object());
    cont = meta.value("continue", "");
    rv = meta.value("resourceVersion", "");
  } while (!cont.empty());
  ++lists_;
  {
    std::lock_guard lock(mu_);
    resource_version_ = rv;
  }
  objects_ = std::move(fresh);
  synced_ = true;
  on_change_(objects_, true);
  return ok_status();
}

Status Reflector::watch_once() {
  auto idle = options_.min_watch_timeout * 2 + std::chrono::seconds(30);
  return client_.watch(options_.path + query(true), idle, &stopping_, [this](const WatchEvent& e) -> Status {
    std::string rv = e.object.contains("metadata") ? e.object["metadata"].value("resourceVersion", "") : "";
    if (!rv.empty()) {
      std::lock_guard lock(mu_);
      resource_version_ = rv;
    }
    if (e.type == "BOOKMARK") return ok_status();
    if (e.type == "ADDED" || e.type == "MODIFIED") {
      nlohmann::json object = e.object;
      if (options_.strip_managed_fields) strip_managed_fields(object);
      std::string key = object_key(object);
      objects_[key] = std::move(object);
    }
    else if (e.type == "DELETED") objects_.erase(object_key(e.object));
    else return ok_status();  // unknown event types are skipped, as client-go's decoder does not know them either
    on_change_(objects_, false);
    return ok_status();
  });
}

void Reflector::run() {
  auto logger = log::get("reflector");
  static thread_local std::mt19937 rng{std::random_device{}()};
  auto backoff = options_.initial_backoff;
  bool need_list = true;
  while (!stopping_) {
    Status st = need_list ? list() : watch_once();
    if (stopping_) break;
    if (st.ok()) {
      // A listed collection goes on to its watch; a watch the server ended resumes at once.
      need_list = false;
      backoff = options_.initial_backoff;
      continue;
    }
    if (st.error().code == ErrorCode::kGone) {
      logger->info("{}: watch expired ({}); relisting", options_.what, st.error().message);
      need_list = true;
      continue;
    }
    if (on_error_) on_error_(st.error());
    if (st.error().code == ErrorCode::kPermissionDenied) backoff = std::max(backoff, options_.forbidden_backoff);
    logger->warn("{}: {}; retrying in {} ms", options_.what, st.error().message, backoff.count());
    auto jittered = backoff + std::chrono::milliseconds(std::uniform_int_distribution<long>(0, backoff.count())(rng));
    if (!sleep_for(jittered)) break;
    backoff = std::min(options_.max_backoff, backoff * 2);
    // After a failed watch, a list is the safe way back (the resourceVersion may be gone).
    if (!need_list && st.error().code != ErrorCode::kUnavailable) need_list = true;
  }
}

}  // namespace nodeagent::kube::client
