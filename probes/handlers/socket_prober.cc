#include "probes/handlers/socket_prober.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "probes/handlers/http_message.h"

namespace nodeagent::probes {
namespace {

// Go's syscall error strings: strerror in lower case ("connection refused").
std::string go_errno(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(s[0]));
  return s;
}

enum class Mode { kTcp, kHttp, kConnectOnly };
enum class Phase { kConnecting, kHandshake, kWriting, kReading };

}  // namespace

class SocketProber::Connection final : public IoLoop::Handler {
 public:
  Connection(SocketProber& owner, const ProbeRun& run, Mode mode)
      : owner_(owner), run_(run), mode_(mode), deadline_(std::chrono::steady_clock::now() + run.timeout) {
    url_.scheme = run.target.scheme == "HTTPS" ? "https" : "http";
    url_.host = run.target.host;
    url_.port = run.target.port;
    url_.path = run.target.path;
  }
  ~Connection() override { close_socket(); }

  Done done;
  Connected connected;
  SteadyTime deadline() const { return deadline_; }

  void begin() {
    close_socket();
    in_.clear();
    out_.clear();
    out_off_ = 0;
    head_.reset();
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = AF_INET;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (::inet_pton(AF_INET, url_.host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(url_.port));
      len = sizeof *v4;
    } else if (::inet_pton(AF_INET6, url_.host.c_str(), &v6->sin6_addr) == 1) {
      family = AF_INET6;
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<uint16_t>(url_.port));
      len = sizeof *v6;
    } else {
      // Names would need a resolver on this loop; pods are probed by IP.
      return fail(dial_error(fmt::format("lookup {}: host is not an IP address", url_.host)));
    }
    auto sock = owner_.sockets_.tcp_socket(run_.netns_path, family);
    if (!sock.ok()) return fail(dial_error(sock.error().message));
    fd_ = *sock;
    phase_ = Phase::kConnecting;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS)
      return fail(dial_error(fmt::format("dial tcp {}: connect: {}", host_port(url_.host, url_.port), go_errno(errno)), true));
    if (!owner_.loop_.add(fd_, EPOLLOUT, this)) return fail(dial_error("epoll: " + go_errno(errno)));
  }

  void on_io(uint32_t) override {
    switch (phase_) {
      case Phase::kConnecting: return on_connected();
      case Phase::kHandshake: return handshake();
      case Phase::kWriting: return write_some();
      case Phase::kReading: return read_some();
    }
  }

  void timed_out() {
    if (mode_ == Mode::kHttp)
      return fail(fmt::format("Get \"{}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                              url_string(url_)));
    fail(fmt::format("dial tcp {}: i/o timeout", host_port(url_.host, url_.port)));
  }

 private:
  // kubelet's message for a connection that could not be made: Go's dial error, wrapped in the
  // HTTP client's `Get "<url>": ` for httpGet.
  std::string dial_error(const std::string& what, bool formatted = false) {
    std::string dial = formatted ? what : fmt::format("dial tcp {}: {}", host_port(url_.host, url_.port), what);
    if (mode_ == Mode::kHttp) return fmt::format("Get \"{}\": {}", url_string(url_), dial);
    return dial;
  }

  void on_connected() {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0)
      return fail(dial_error(fmt::format("dial tcp {}: connect: {}", host_port(url_.host, url_.port), go_errno(err)), true));
    if (mode_ == Mode::kTcp) return finish({Outcome::kSuccess, "", false});
    if (mode_ == Mode::kConnectOnly) {
      owner_.loop_.remove(fd_);
      int fd = fd_;
      fd_ = -1;
      auto cb = std::move(connected);
      finish_quietly();
      cb(fd, std::nullopt);
      return;
    }
    out_ = build_request(url_, run_.target.headers, owner_.user_agent_);
    if (url_.scheme == "https") {
      SSL_CTX* ctx = owner_.tls();
      ssl_ = ctx ? SSL_new(ctx) : nullptr;
      if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return fail(fmt::format("Get \"{}\": tls: cannot set up", url_string(url_)));
      if (::inet_pton(AF_INET, url_.host.c_str(), &scratch_) != 1 && ::inet_pton(AF_INET6, url_.host.c_str(), &scratch6_) != 1)
        SSL_set_tlsext_host_name(ssl_, url_.host.c_str());
      phase_ = Phase::kHandshake;
      return handshake();
    }
    phase_ = Phase::kWriting;
    write_some();
  }

  // true when the TLS call must wait for the socket (interest updated).
  bool tls_wait(int ret) {
    int e = SSL_get_error(ssl_, ret);
    if (e == SSL_ERROR_WANT_READ) return owner_.loop_.modify(fd_, EPOLLIN, this), true;
    if (e == SSL_ERROR_WANT_WRITE) return owner_.loop_.modify(fd_, EPOLLOUT, this), true;
    return false;
  }
  std::string tls_error() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "remote error: tls: handshake failure";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return std::string("tls: ") + buf;
  }

  void handshake() {
    int r = SSL_connect(ssl_);
    if (r == 1) {
      phase_ = Phase::kWriting;
      return write_some();
    }
    if (tls_wait(r)) return;
    fail(fmt::format("Get \"{}\": {}", url_string(url_), tls_error()));
  }

  void write_some() {
    while (out_off_ < out_.size()) {
      const char* p = out_.data() + out_off_;
      const size_t n = out_.size() - out_off_;
      if (ssl_) {
        int w = SSL_write(ssl_, p, static_cast<int>(n));
        if (w <= 0) {
          if (tls_wait(w)) return;
          return fail(fmt::format("Get \"{}\": {}", url_string(url_), tls_error()));
        }
        out_off_ += static_cast<size_t>(w);
      } else {
        ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN || errno == EINTR) return (void)owner_.loop_.modify(fd_, EPOLLOUT, this);
          return fail(fmt::format("Get \"{}\": write tcp {}: {}", url_string(url_), host_port(url_.host, url_.port), go_errno(errno)));
        }
        out_off_ += static_cast<size_t>(w);
      }
    }
    phase_ = Phase::kReading;
    owner_.loop_.modify(fd_, EPOLLIN, this);
    read_some();
  }

  void read_some() {
    char buf[16 * 1024];
    for (;;) {
      ssize_t n;
      if (ssl_) {
        int r = SSL_read(ssl_, buf, sizeof buf);
        if (r <= 0) {
          int e = SSL_get_error(ssl_, r);
          if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) return at_eof();
          if (tls_wait(r)) return;
          return fail(fmt::format("Get \"{}\": {}", url_string(url_), tls_error()));
        }
        n = r;
      } else {
        n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EAGAIN || errno == EINTR) return;
          if (errno == ECONNRESET && head_) return at_eof();
          return fail(fmt::format("Get \"{}\": read tcp {}: {}", url_string(url_), host_port(url_.host, url_.port), go_errno(errno)));
        }
        if (n == 0) return at_eof();
      }
      in_.append(buf, static_cast<size_t>(n));
      if (!head_) {
        auto parsed = parse_head(in_);
        if (!parsed) continue;
        if (!parsed->ok()) return fail(fmt::format("Get \"{}\": {}", url_string(url_), parsed->error().message));
        head_ = parsed->value();
      }
      const size_t body = in_.size() - head_->head_bytes;
      if (body >= kMaxBodyBytes || (head_->content_length && body >= *head_->content_length)) return response_done();
    }
  }

  void at_eof() {
    if (!head_) return fail(fmt::format("Get \"{}\": EOF", url_string(url_)));
    response_done();
  }

  void response_done() {
    const int status = head_->status;
    std::string body = in_.substr(head_->head_bytes, kMaxBodyBytes);
    if (head_->content_length && body.size() > *head_->content_length) body.resize(*head_->content_length);
    if (is_followed_redirect(status) && !head_->location.empty()) {
      auto next = resolve_location(url_, head_->location);
      if (!next.ok()) return fail(fmt::format("Get \"{}\": {}", head_->location, next.error().message));
      // Go's client with kubelet's CheckRedirect: only to the same host name, at most 10.
      if (next->host == run_.target.host) {
        if (++redirects_ >= kMaxRedirects)
          return fail(fmt::format("Get \"{}\": stopped after {} redirects", url_string(*next), kMaxRedirects));
        url_ = *next;
        return begin();
      }
    }
    finish(http_outcome(status, body));
  }

  void close_socket() {
    if (ssl_) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      owner_.loop_.remove(fd_);
      ::close(fd_);
      fd_ = -1;
    }
  }

  void fail(std::string message) {
    if (mode_ == Mode::kConnectOnly) {
      auto cb = std::move(connected);
      finish_quietly();
      cb(-1, RunResult{Outcome::kFailure, std::move(message), false});
      return;
    }
    finish({Outcome::kFailure, std::move(message), false});
  }
  void finish(RunResult result) {
    auto cb = std::move(done);
    finish_quietly();
    if (cb) cb(std::move(result));
  }
  void finish_quietly() {
    close_socket();
    owner_.finished(this);
  }

  SocketProber& owner_;
  ProbeRun run_;
  Mode mode_;
  SteadyTime deadline_;
  Url url_;
  int redirects_ = 0;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  Phase phase_ = Phase::kConnecting;
  std::string out_;
  size_t out_off_ = 0;
  std::string in_;
  std::optional<HttpHead> head_;
  in_addr scratch_{};
  in6_addr scratch6_{};
};

SocketProber::SocketProber(IoLoop& loop, NetnsSockets& sockets, std::string user_agent)
    : loop_(loop), sockets_(sockets), user_agent_(std::move(user_agent)) {}

SocketProber::~SocketProber() {
  for (auto* c : live_) delete c;
  done_.clear();
  if (tls_) SSL_CTX_free(tls_);
}

SSL_CTX* SocketProber::tls() {
  if (!tls_) {
    tls_ = SSL_CTX_new(TLS_client_method());
    // kubelet's prober: InsecureSkipVerify.
    if (tls_) SSL_CTX_set_verify(tls_, SSL_VERIFY_NONE, nullptr);
  }
  return tls_;
}

void SocketProber::start(const ProbeRun& run, Done done) {
  auto* c = new Connection(*this, run, run.target.type == ProbeTarget::Type::kHttpGet ? Mode::kHttp : Mode::kTcp);
  c->done = std::move(done);
  live_.insert(c);
  c->begin();
}

void SocketProber::connect(const ProbeRun& run, Connected connected) {
  auto* c = new Connection(*this, run, Mode::kConnectOnly);
  c->connected = std::move(connected);
  live_.insert(c);
  c->begin();
}

void SocketProber::finished(Connection* c) {
  if (live_.erase(c)) done_.emplace_back(c);
}

std::optional<SocketProber::SteadyTime> SocketProber::expire(SteadyTime now) {
  std::vector<Connection*> late;
  std::optional<SteadyTime> earliest;
  for (auto* c : live_) {
    if (c->deadline() <= now) late.push_back(c);
    else if (!earliest || c->deadline() < *earliest) earliest = c->deadline();
  }
  for (auto* c : late) c->timed_out();
  return earliest;
}

void SocketProber::sweep() { done_.clear(); }

}  // namespace nodeagent::probes
