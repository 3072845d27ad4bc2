// runtime::EventStream over containerd's Events.Subscribe: task start/exit/oom/delete of the
// connection's namespace, as ContainerEvents, on one thread of its own. Exec processes are
// ignored. When the stream breaks (containerd restart), it resubscribes with exponential
// backoff; events in the gap are lost, so consumers keep a periodic relist as the safety net.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "runtime/containerd/connection.h"
#include "runtime/runtime.h"

namespace nodeagent::runtime::ctd {

// The event carried by one envelope, or nullopt when it is not a container task event we map
// (other topics, exec processes, unparsable payloads). Pure: unit-tested without containerd.
// containerd's type_urls have no slash ("containerd.events.TaskExit"), so Any::UnpackTo cannot
// be used: the type_url is compared and the value parsed directly.
std::optional<ContainerEvent> to_container_event(const api::events::Envelope& envelope);

// The Subscribe filters for task events of namespace `ns`.
std::vector<std::string> task_event_filters(const std::string& ns);

struct EventStreamOptions {
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

class ContainerdEventStream : public EventStream {
 public:
  explicit ContainerdEventStream(std::shared_ptr<Connection> connection, EventStreamOptions options = {});
  ~ContainerdEventStream() override;  // stop()

  // Starts the subscriber thread; the handler runs on it. Calling start twice is a bug.
  void start(Handler handler) override;
  // Cancels the stream and joins the thread. Idempotent.
  void stop() override;

  // Number of Subscribe calls issued so far (1 after the first; more after reconnects).
  int subscriptions() const { return subscriptions_.load(); }

 private:
  void run();
  // One Subscribe call until the stream ends; true if it was up (delivered or lasted > 1 s).
  bool subscribe_once();
  void sleep_backoff(std::chrono::milliseconds delay);

  std::shared_ptr<Connection> connection_;
  EventStreamOptions options_;
  Handler handler_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;                     // guarded by mu_
  grpc::ClientContext* active_ = nullptr;     // guarded by mu_: cancelled by stop()
  std::atomic<int> subscriptions_{0};
};

}  // namespace nodeagent::runtime::ctd
