// client-go's reflector for one resource: list (paged), then watch from the list's
// resourceVersion with bookmarks, and keep a local copy of every object. A 410 Gone (the
// resourceVersion was compacted) relists; a watch the server ends is resumed from the last
// resourceVersion seen; transport errors are retried with jittered exponential back-off
// (800 ms doubling to 30 s, as client-go); a watch that stays silent past its own timeout is
// abandoned and restarted. Runs on a thread of its own; the handler runs on it too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "kube/client/api_client.h"

namespace nodeagent::kube::client {

struct ReflectorOptions {
  std::string what;        // "pods", for logs
  std::string path;        // collection path: /api/v1/pods
  std::string field_selector;  // e.g. spec.nodeName=n1
  std::string label_selector;
  int page_size = 500;
  // The server ends each watch after a random time in [min, 2*min] (client-go: 5 min), so a
  // silent connection is noticed within 2*min + 30 s.
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{30'000};
  // A 403: the identity may not list or watch this (RBAC, the Node authorizer). Retrying every
  // 30 s changes nothing until someone grants it, so such retries wait this long.
  std::chrono::milliseconds forbidden_backoff{300'000};
  // metadata.managedFields off every object kept (client-go's TransformStripManagedFields): the
  // node never reads them, and they are often the largest part of an object.
  bool strip_managed_fields = true;
};

// namespace/name (or name) -> the object as the API server sent it.
using ObjectMap = std::map<std::string, nlohmann::json>;

class Reflector {
 public:
  // on_change(objects, relisted): after every list and after every watch event.
  using ChangeFn = std::function<void(const ObjectMap& objects, bool relisted)>;
  // on_error(error): a failed list or watch (before the retry), for logs and status.
  using ErrorFn = std::function<void(const Error& error)>;

  Reflector(ApiClient& client, ReflectorOptions options, ChangeFn on_change, ErrorFn on_error = nullptr);
  ~Reflector();

  void start();
  void stop();  // idempotent; interrupts a blocked watch within about a second
  bool synced() const { return synced_.load(); }
  std::string resource_version() const;
  // How many lists were made (1 + relists), for tests.
  int lists() const { return lists_.load(); }

  // One list + watch cycle, used by the thread (and by unit tests with a fake HttpClient).
  // Returns the error that ended it; kGone means "relist".
  Status list();
  Status watch_once();

 private:
  void run();
  bool sleep_for(std::chrono::milliseconds d);  // false when stopping
  std::string query(bool watch) const;

  ApiClient& client_;
  ReflectorOptions options_;
  ChangeFn on_change_;
  ErrorFn on_error_;
  ObjectMap objects_;  // touched only by the reflector's thread
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string resource_version_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> synced_{false};
  std::atomic<int> lists_{0};
  std::thread thread_;
};

void strip_managed_fields(nlohmann::json& object);

// "namespace/name", or "name" for cluster-scoped objects.
std::string object_key(const nlohmann::json& object);

}  // namespace nodeagent::kube::client
