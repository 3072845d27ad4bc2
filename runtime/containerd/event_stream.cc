// Events.Subscribe loop and envelope decoding (see event_stream.h).
#include "runtime/containerd/event_stream.h"

#include "util/log.h"
#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "runtime/containerd/proto_time.h"

namespace nodeagent::runtime::ctd {
namespace {

namespace ev = ::containerd::events;

// Parses the Any payload when its type_url names `T` (with or without a "host/" prefix).
template <typename T>
std::optional<T> payload_as(const google::protobuf::Any& any) {
  const std::string& url = any.type_url();
  const std::string& name = T::descriptor()->full_name();
  bool matches = url == name || (url.size() > name.size() && url.compare(url.size() - name.size(), name.size(), name) == 0 &&
                                 url[url.size() - name.size() - 1] == '/');
  if (!matches) return std::nullopt;
  T msg;
  if (!msg.ParseFromString(any.value())) return std::nullopt;
  return msg;
}

}  // namespace

std::optional<ContainerEvent> to_container_event(const api::events::Envelope& envelope) {
  const auto& any = envelope.event();
  ContainerEvent out;
  if (auto e = payload_as<ev::TaskStart>(any)) {
    out.kind = ContainerEventKind::kStarted;
    out.container_id = e->container_id();
    out.pid = e->pid();
    out.at = to_time_point(envelope.timestamp());
    return out;
  }
  if (auto e = payload_as<ev::TaskExit>(any)) {
    // An exec process's exit carries its exec id in `id`; the task's own has id == container id.
    if (!e->id().empty() && e->id() != e->container_id()) return std::nullopt;
    out.kind = ContainerEventKind::kExited;
    out.container_id = e->container_id();
    out.pid = e->pid();
    out.exit_code = static_cast<int32_t>(e->exit_status());
    out.at = to_time_point(e->exited_at());
    return out;
  }
  if (auto e = payload_as<ev::TaskOOM>(any)) {
    out.kind = ContainerEventKind::kOOM;
    out.container_id = e->container_id();
    out.at = to_time_point(envelope.timestamp());
    return out;
  }
  if (auto e = payload_as<ev::TaskDelete>(any)) {
    if (!e->id().empty() && e->id() != e->container_id()) return std::nullopt;
    out.kind = ContainerEventKind::kDeleted;
    out.container_id = e->container_id();
    out.pid = e->pid();
    out.exit_code = static_cast<int32_t>(e->exit_status());
    out.at = to_time_point(e->exited_at());
    return out;
  }
  return std::nullopt;
}

std::vector<std::string> task_event_filters(const std::string& ns) {
  // Entries are OR-ed, the comma-separated terms of one entry AND-ed.
  return {"namespace==" + ns + ",topic~=\"^/tasks/\""};
}

ContainerdEventStream::ContainerdEventStream(std::shared_ptr<Connection> connection, EventStreamOptions options)
    : connection_(std::move(connection)), options_(options) {}

ContainerdEventStream::~ContainerdEventStream() { stop(); }

void ContainerdEventStream::start(Handler handler) {
  handler_ = std::move(handler);
  thread_ = std::thread([this] { run(); });
}

void ContainerdEventStream::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (active_) active_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ContainerdEventStream::run() {
  auto backoff = options_.min_backoff;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    bool connected = subscribe_once();
    if (connected) backoff = options_.min_backoff;
    sleep_backoff(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool ContainerdEventStream::subscribe_once() {
  auto ctx = connection_->stream_context();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    active_ = ctx.get();
  }
  api::events::SubscribeRequest req;
  for (const auto& f : task_event_filters(connection_->ns())) req.add_filters(f);
  auto reader = connection_->events().Subscribe(ctx.get(), req);

  // containerd sends no initial metadata until the first event, so "established" means the
  // stream delivered something or stayed open for a while; only then is the backoff reset.
  subscriptions_++;
  auto opened = std::chrono::steady_clock::now();
  bool received = false;
  api::events::Envelope envelope;
  while (reader->Read(&envelope)) {
    received = true;
    if (envelope.namespace_() != connection_->ns()) continue;
    if (auto event = to_container_event(envelope)) handler_(*event);
  }
  bool established = received || std::chrono::steady_clock::now() - opened > std::chrono::seconds(1);
  grpc::Status status = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = nullptr;
    if (stopping_) return established;
  }
  log::get("runtime")->warn("event stream: {}; resubscribing", from_grpc(status, "subscribe").message);
  return established;
}

void ContainerdEventStream::sleep_backoff(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace nodeagent::runtime::ctd
