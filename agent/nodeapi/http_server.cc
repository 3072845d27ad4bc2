#include "agent/nodeapi/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <future>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "agent/nodeapi/request_parse.h"
#include "util/log.h"

namespace nodeagent::nodeapi {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

std::vector<std::string> name_entries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

PeerCertificate peer_certificate(SSL* ssl) {
  PeerCertificate p;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return p;
  p.presented = true;
  long result = SSL_get_verify_result(ssl);
  p.verified = result == X509_V_OK;
  if (!p.verified) p.verify_error = X509_verify_cert_error_string(result);
  X509_NAME* subject = X509_get_subject_name(cert);
  auto cn = name_entries(subject, NID_commonName);
  if (!cn.empty()) p.common_name = cn.front();
  p.organizations = name_entries(subject, NID_organizationName);
  X509_free(cert);
  return p;
}

std::string reason_phrase(int status) {
  auto s = http::obsolete_reason(static_cast<http::status>(status));
  return std::string(s.data(), s.size());
}

std::string header_block(int status, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  return out + "\r\n";
}

}  // namespace

// Blocking I/O for the thread of a connection that left the event loop (streaming and upgraded
// connections). Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>. Each call
// starts an async operation on the connection's strand and waits for it: a TLS stream allows one
// read and one write in flight at once only that way (OpenSSL's SSL object is not safe for a
// blocking read on one thread and a write on another), so a reader and a writer thread may share it.
template <class Stream>
class BlockingConnection final : public ByteStream {
 public:
  BlockingConnection(Stream& stream, std::string leftover) : stream_(stream), leftover_(std::move(leftover)) {}
  size_t read_some(char* data, size_t size) override {
    std::lock_guard lock(read_mu_);
    if (!leftover_.empty()) {
      size_t n = std::min(size, leftover_.size());
      std::memcpy(data, leftover_.data(), n);
      leftover_.erase(0, n);
      return n;
    }
    if (closed_ || size == 0) return 0;
    std::promise<size_t> done;
    auto result = done.get_future();
    net::dispatch(stream_.get_executor(), [&] {
      stream_.async_read_some(net::buffer(data, size), [&done](beast::error_code ec, size_t n) { done.set_value(ec ? 0 : n); });
    });
    return result.get();
  }
  bool write_all(std::string_view data) override {
    std::lock_guard lock(write_mu_);
    if (closed_) return false;
    std::promise<bool> done;
    auto result = done.get_future();
    net::dispatch(stream_.get_executor(), [&] {
      net::async_write(stream_, net::buffer(data.data(), data.size()),
                       [&done](beast::error_code ec, size_t) { done.set_value(!ec); });
    });
    return result.get();
  }
  void close() override {
    bool was = closed_.exchange(true);
    if (was) return;
    // The socket's own shutdown(2): safe from any thread, and it completes a pending read. No
    // TLS close_notify (it would race with that read), which clients accept from kubelet too.
    ::shutdown(beast::get_lowest_layer(stream_).socket().native_handle(), SHUT_RDWR);
  }
  // Whether the peer hung up (checked without reading: a follow with nothing to write notices).
  bool peer_gone() {
    pollfd p{beast::get_lowest_layer(stream_).socket().native_handle(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
  }

 private:
  Stream& stream_;
  std::string leftover_;
  std::mutex read_mu_, write_mu_;
  std::atomic<bool> closed_{false};
};

// A chunked response on a BlockingConnection.
template <class Stream>
class ChunkedResponse final : public ResponseStream {
 public:
  ChunkedResponse(BlockingConnection<Stream>& conn, const std::atomic<bool>& stopping) : conn_(conn), stopping_(stopping) {}
  bool start(int status, const std::string& content_type,
             const std::vector<std::pair<std::string, std::string>>& headers) override {
    if (started_) return ok_;
    started_ = true;
    auto all = headers;
    all.emplace_back("Content-Type", content_type);
    all.emplace_back("Transfer-Encoding", "chunked");
    all.emplace_back("Connection", "close");
    ok_ = conn_.write_all(header_block(status, all));
    return ok_;
  }
  bool cancelled() override { return !ok_ || stopping_ || conn_.peer_gone(); }
  bool write(std::string_view data) override {
    if (!started_) start(200, "text/plain", {});
    if (cancelled()) return ok_ = false;
    if (data.empty()) return true;
    char size[24];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string chunk = size;
    chunk.append(data);
    chunk += "\r\n";
    return ok_ = conn_.write_all(chunk);
  }
  bool started() const override { return started_; }
  void finish() {
    if (ok_ && started_) conn_.write_all("0\r\n\r\n");
  }

 private:
  BlockingConnection<Stream>& conn_;
  const std::atomic<bool>& stopping_;
  bool started_ = false;
  bool ok_ = true;
};

struct HttpServer::Impl {
  HttpServerOptions options;
  Router router;
  Gate gate;
  std::optional<ssl::context> tls;  // before ioc: sessions the loop still holds use it
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> pool;
  std::atomic<bool> stopping{false};
  int bound_port = 0;

  // Long-lived connections: their threads, and a way to close each one on stop().
  std::mutex long_mu;
  struct LongLived {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<LongLived> long_threads;
  std::set<ByteStream*> open_streams;
  int long_lived = 0;

  Impl(HttpServerOptions o, Router r, Gate g) : options(std::move(o)), router(std::move(r)), gate(std::move(g)) {}

  void do_accept();
  template <class Stream>
  void run_long_lived(std::function<void()> fn);
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream stream, std::string remote)
      : server_(server), stream_(std::move(stream)), remote_(std::move(remote)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return;
        self->peer_ = peer_certificate(self->stream_.native_handle());
        self->read();
      });
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      auto msg = self->parser_->release();
      std::vector<std::pair<std::string, std::string>> headers;
      for (const auto& field : msg.base()) headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      self->on_request(make_request(std::string(msg.method_string()), std::string(msg.target()), headers,
                                    std::move(msg.body()), self->remote_));
    });
  }

  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  void on_request(HttpRequest req) {
    User user;
    if (server_.gate) {
      auto verdict = server_.gate(req, peer_);
      if (!verdict.user) return reply(verdict.refusal, req, false);
      user = std::move(*verdict.user);
    }
    const Route* route = server_.router.match(req.path);
    if (!route) return reply(text_response(404, "404 page not found\n"), req, true);
    if (auto* simple = std::get_if<SimpleHandler>(&route->handler)) {
      HttpResponse resp;
      try {
        resp = (*simple)(req, user);
      } catch (const std::exception& e) {
        log::get("nodeapi")->error("{} {}: {}", req.method, req.path, e.what());
        resp = text_response(500, "Internal Server Error: " + std::string(e.what()) + "\n");
      }
      return reply(resp, req, true);
    }
    auto self = this->shared_from_this();
    server_.run_long_lived<Stream>([self, route, req = std::move(req), user = std::move(user)] {
      self->serve_long_lived(*route, req, user);
    });
  }

  void reply(const HttpResponse& resp, const HttpRequest& req, bool keep_alive) {
    auto msg = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(resp.status), 11);
    msg->set(http::field::content_type, resp.content_type);
    msg->set("X-Content-Type-Options", "nosniff");
    for (const auto& [k, v] : resp.headers) msg->set(k, v);
    msg->body() = resp.body;
    msg->prepare_payload();
    keep_alive = keep_alive && req.header("connection") != "close";
    msg->keep_alive(keep_alive);
    http::async_write(stream_, *msg, [self = this->shared_from_this(), msg, keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive) return self->close();
      self->read();
    });
  }

  // On a thread of its own, with blocking I/O.
  void serve_long_lived(const Route& route, const HttpRequest& req, const User& user) {
    beast::get_lowest_layer(stream_).expires_never();
    auto leftover = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    BlockingConnection<Stream> conn(stream_, std::move(leftover));
    {
      std::lock_guard lock(server_.long_mu);
      server_.open_streams.insert(&conn);
    }
    if (server_.stopping) conn.close();
    try {
      if (auto* streaming = std::get_if<StreamingHandler>(&route.handler)) {
        ChunkedResponse<Stream> out(conn, server_.stopping);
        (*streaming)(req, user, out);
        if (!out.started()) out.start(200, "text/plain", {});
        out.finish();
      } else if (auto* upgrade = std::get_if<UpgradeHandler>(&route.handler)) {
        auto decision = upgrade->accept(req, user);
        if (decision.refusal) {
          auto& r = *decision.refusal;
          auto headers = r.headers;
          headers.emplace_back("Content-Type", r.content_type);
          headers.emplace_back("Content-Length", std::to_string(r.body.size()));
          headers.emplace_back("Connection", "close");
          conn.write_all(header_block(r.status, headers) + r.body);
        } else if (conn.write_all(header_block(101, decision.headers))) {
          upgrade->serve(req, user, conn);
        }
      }
    } catch (const std::exception& e) {
      log::get("nodeapi")->error("{} {}: {}", req.method, req.path, e.what());
    }
    {
      std::lock_guard lock(server_.long_mu);
      server_.open_streams.erase(&conn);
    }
    conn.close();
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string remote_;
  PeerCertificate peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

template <class Stream>
void HttpServer::Impl::run_long_lived(std::function<void()> fn) {
  std::lock_guard lock(long_mu);
  // Finished threads are joined here, so the list stays as long as the live ones.
  for (auto it = long_threads.begin(); it != long_threads.end();) {
    if (*it->done) {
      it->thread.join();
      it = long_threads.erase(it);
    } else {
      ++it;
    }
  }
  if (stopping) return;
  if (long_lived >= options.max_long_lived) {
    log::get("nodeapi")->warn("{}: {} long-lived connections already, refusing another", options.name, long_lived);
    return;  // the session is dropped, which closes the connection
  }
  ++long_lived;
  auto done = std::make_shared<std::atomic<bool>>(false);
  long_threads.push_back({std::thread([this, done, fn = std::move(fn)]() mutable {
                            fn();
                            fn = nullptr;  // the session goes now, not at join
                            std::lock_guard l(long_mu);
                            --long_lived;
                            *done = true;
                          }),
                          done});
}

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      beast::error_code rec;
      auto ep = socket.remote_endpoint(rec);
      std::string remote = rec ? "" : ep.address().to_string() + ":" + std::to_string(ep.port());
      if (tls) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), remote)
            ->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)), remote)->start();
      }
    }
    do_accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, Router router, Gate gate)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router), std::move(gate))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::port() const { return impl_->bound_port; }

Status HttpServer::start() {
  auto& s = *impl_;
  const std::string where = s.options.name + " on " + s.options.address + ":" + std::to_string(s.options.port);
  if (s.options.tls) {
    const auto& t = *s.options.tls;
    s.tls.emplace(ssl::context::tls_server);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(t.cert_file, ec);
    if (ec) return invalid(where + ": --tls-cert-file " + t.cert_file + ": " + ec.message());
    s.tls->use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec) return invalid(where + ": --tls-private-key-file " + t.key_file + ": " + ec.message());
    if (!t.client_ca_file.empty()) {
      s.tls->load_verify_file(t.client_ca_file, ec);
      if (ec) return invalid(where + ": --client-ca-file " + t.client_ca_file + ": " + ec.message());
      // Ask for a certificate but accept the handshake without one or with a bad one: the gate
      // decides (401), as kubelet's RequestClientCert + x509 authenticator do.
      s.tls->set_verify_mode(ssl::verify_peer);
      s.tls->set_verify_callback([](bool, ssl::verify_context&) { return true; });
      if (auto* names = SSL_load_client_CA_file(t.client_ca_file.c_str()))
        SSL_CTX_set_client_CA_list(s.tls->native_handle(), names);
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(s.options.address, ec);
  if (ec) return invalid(where + ": bad address: " + ec.message());
  tcp::endpoint ep(address, static_cast<unsigned short>(s.options.port));
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return unavailable("cannot listen (" + where + "): " + ec.message());
  s.bound_port = s.acceptor.local_endpoint().port();
  s.do_accept();
  for (int i = 0; i < std::max(1, s.options.threads); ++i) s.pool.emplace_back([&s] { s.ioc.run(); });
  log::get("nodeapi")->info("{} listening on {}:{}{}", s.options.name, s.options.address, s.bound_port,
                            s.options.tls ? " (TLS)" : "");
  return ok_status();
}

void HttpServer::stop() {
  auto& s = *impl_;
  if (s.stopping.exchange(true)) return;
  {
    std::lock_guard lock(s.long_mu);
    for (auto* stream : s.open_streams) stream->close();
  }
  std::list<Impl::LongLived> threads;
  {
    std::lock_guard lock(s.long_mu);
    threads.swap(s.long_threads);
  }
  for (auto& t : threads)
    if (t.thread.joinable()) t.thread.join();
  net::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  s.ioc.stop();
  for (auto& t : s.pool)
    if (t.joinable()) t.join();
  s.pool.clear();
}

}  // namespace nodeagent::nodeapi
