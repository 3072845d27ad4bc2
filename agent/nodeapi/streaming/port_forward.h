// The portforward protocol over SPDY (k8s.io/cri-streaming portforward, portforward.k8s.io):
// per forwarded connection the client opens an error stream and a data stream with the same
// `requestID` and a `port` header; once both are there the data stream is joined to a TCP
// connection to that port on the pod's loopback, dialled inside the pod's network namespace.
// A dial failure is written on the error stream and both streams are reset. Streams without a
// valid port or type are refused, as upstream's handler refuses them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/nodeapi/streaming/spdy_session.h"
#include "util/result.h"

namespace nodeagent::nodeapi::streaming {

// Connects to 127.0.0.1:port (then [::1]:port) inside the network namespace at `netns_path`
// ("" = this thread's); a blocking, connected socket.
Result<int> dial_pod_port(const std::string& netns_path, uint16_t port, std::chrono::milliseconds timeout);

// Joins a connected socket and a data stream until both directions have ended (the client's
// FIN half-closes the socket; the pod's EOF half-closes the stream), or `gone` says the
// connection has ended. Closes the socket.
void splice_stream(int fd, SpdyStream& data, const std::function<bool()>& gone);

class PortForwardStreams {
 public:
  // `describe` names the pod in error messages ("pod default/web, uid 123").
  PortForwardStreams(std::string netns_path, std::string describe,
                     std::chrono::milliseconds stream_creation_timeout = std::chrono::seconds(30));
  ~PortForwardStreams();  // joins the forwards

  // The SpdySession handler (reader thread).
  bool add(const std::shared_ptr<SpdyStream>& stream);
  // Runs forwards as their pairs complete until the session ends (`session.done()`).
  void run(SpdySession& session);

 private:
  struct Pair {
    std::shared_ptr<SpdyStream> data, error;
    std::chrono::steady_clock::time_point created;
  };
  void forward(Pair pair);

  const std::string netns_path_;
  const std::string describe_;
  const std::chrono::milliseconds creation_timeout_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Pair> pending_;  // by requestID
  std::vector<Pair> ready_;
  std::vector<std::thread> threads_;
  SpdySession* session_ = nullptr;  // set by run()
};

}  // namespace nodeagent::nodeapi::streaming
