#include "agent/nodeapi/streaming/port_forward.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "probes/handlers/netns_sockets.h"

namespace nodeagent::nodeapi::streaming {
namespace {

std::optional<uint16_t> parse_port(const std::string& s) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 1 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

Result<int> connect_one(probes::NetnsSockets& sockets, const std::string& netns, int family, uint16_t port,
                        std::chrono::milliseconds timeout) {
  NA_ASSIGN_OR_RETURN(int fd, sockets.tcp_socket(netns, family));
  sockaddr_storage ss{};
  socklen_t len;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    len = sizeof(sockaddr_in6);
  }
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) {
      ::close(fd);
      return Error{ErrorCode::kDeadlineExceeded, "connect timed out"};
    }
    int err = 0;
    socklen_t el = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
    rc = err == 0 ? 0 : -1;
    errno = err;
  }
  if (rc != 0) {
    int err = errno;
    ::close(fd);
    return errno_error("connect", err);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

}  // namespace

Result<int> dial_pod_port(const std::string& netns_path, uint16_t port, std::chrono::milliseconds timeout) {
  probes::NetnsSockets sockets;  // this thread's own: it is not shared
  auto v4 = connect_one(sockets, netns_path, AF_INET, port, timeout);
  if (v4.ok()) return v4;
  auto v6 = connect_one(sockets, netns_path, AF_INET6, port, timeout);
  if (v6.ok()) return v6;
  // containerd's CRI wording, so operators see the message they know.
  return unavailable(fmt::format("failed to connect to localhost:{} inside namespace \"{}\", IPv4: {} IPv6 {} ", port,
                                 netns_path, v4.error().message, v6.error().message));
}

void splice_stream(int fd, SpdyStream& data, const std::function<bool()>& gone) {
  std::atomic<bool> pod_done{false};
  std::thread pod_to_client([&] {
    char buf[32 * 1024];
    while (true) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (!data.write(std::string_view(buf, static_cast<size_t>(n)))) {
        ::shutdown(fd, SHUT_RDWR);
        break;
      }
    }
    data.close();
    pod_done = true;
  });
  char buf[32 * 1024];
  bool client_eof = false;
  while (true) {
    size_t n = data.read(buf, sizeof buf);
    if (n == 0) {
      client_eof = true;
      break;
    }
    const char* p = buf;
    while (n > 0) {
      ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      p += w;
      n -= static_cast<size_t>(w);
    }
    if (n > 0) break;
  }
  // The client finished sending: the pod sees EOF and may still answer, until it closes or
  // the connection ends. A broken socket ends both directions at once.
  ::shutdown(fd, client_eof ? SHUT_WR : SHUT_RDWR);
  while (!pod_done) {
    if (gone()) {
      ::shutdown(fd, SHUT_RDWR);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pod_to_client.join();
  ::close(fd);
}

PortForwardStreams::PortForwardStreams(std::string netns_path, std::string describe,
                                       std::chrono::milliseconds stream_creation_timeout)
    : netns_path_(std::move(netns_path)), describe_(std::move(describe)), creation_timeout_(stream_creation_timeout) {}

PortForwardStreams::~PortForwardStreams() {
  for (auto& t : threads_) t.join();
}

bool PortForwardStreams::add(const std::shared_ptr<SpdyStream>& stream) {
  if (!parse_port(stream->header("port"))) return false;
  std::string type = stream->header("streamtype");
  if (type != "data" && type != "error") return false;
  std::string request = stream->header("requestid");
  if (request.empty()) {
    // Old clients: the error stream's id names the pair, the data stream is the one after it.
    request = std::to_string(type == "error" ? stream->id() : stream->id() - 2);
  }
  std::lock_guard lock(mu_);
  Pair& p = pending_[request];
  if (p.created == std::chrono::steady_clock::time_point{}) p.created = std::chrono::steady_clock::now();
  auto& slot = type == "data" ? p.data : p.error;
  if (slot) {
    // Upstream answers a second stream of a kind and reports it on the pair's error stream.
    if (p.error) p.error->write(fmt::format("error processing stream for request {}: {} stream already assigned", request, type));
    return true;
  }
  slot = stream;
  if (p.data && p.error) {
    ready_.push_back(std::move(p));
    pending_.erase(request);
    cv_.notify_all();
  }
  return true;
}

void PortForwardStreams::run(SpdySession& session) {
  session_ = &session;
  std::unique_lock lock(mu_);
  while (!session.done()) {
    cv_.wait_for(lock, std::chrono::milliseconds(200));
    for (auto& p : ready_) threads_.emplace_back([this, p = std::move(p)]() mutable { forward(std::move(p)); });
    ready_.clear();
    auto now = std::chrono::steady_clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->second.created < creation_timeout_) {
        ++it;
        continue;
      }
      std::string msg = fmt::format("timed out waiting for streams of request {}", it->first);
      if (it->second.error) it->second.error->write(msg);
      it = pending_.erase(it);
    }
  }
}

void PortForwardStreams::forward(Pair pair) {
  auto port = parse_port(pair.data->header("port"));
  auto fd = dial_pod_port(netns_path_, *port, std::chrono::seconds(10));
  if (!fd.ok()) {
    pair.error->write(fmt::format("error forwarding port {} to {}: {}", *port, describe_, fd.error().message));
    pair.data->reset();
    pair.error->reset();
    return;
  }
  splice_stream(*fd, *pair.data, [this] { return session_->done(); });
  pair.error->close();
}

}  // namespace nodeagent::nodeapi::streaming
