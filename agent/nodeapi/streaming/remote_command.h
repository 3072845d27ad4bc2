// The remotecommand protocol over SPDY (k8s.io/cri-streaming remotecommand, server side): the
// client opens one stream per channel, named by its `streamType` header (error, stdin, stdout,
// stderr, and resize from v3 with a TTY); the command starts once all that its options call for
// are there. Output goes out on stdout/stderr, which are half-closed when it ends; then the
// error stream carries the outcome (exec_status.h) and the connection ends.
//
// RemoteCommandStreams is the SpdySession's stream handler and, once ready, the ProcessIO the
// runtime runs the command against.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/nodeapi/streaming/exec_status.h"
#include "agent/nodeapi/streaming/spdy_session.h"
#include "agent/nodeapi/streaming/streaming_paths.h"
#include "agent/nodeapi/streaming/terminal_size.h"
#include "runtime/process_io.h"

namespace nodeagent::nodeapi::streaming {

class RemoteCommandStreams : public runtime::ProcessIO {
 public:
  // `gone` says whether the connection has ended.
  RemoteCommandStreams(std::string protocol, StreamOptions options, std::function<bool()> gone);

  // The SpdySession handler (reader thread): takes the streams it knows, refuses a second one
  // of a kind.
  bool add(const std::shared_ptr<SpdyStream>& stream);
  // Blocks until every expected stream came, the connection ended, or `timeout`; false unless
  // all came ("timed out waiting for client to create streams").
  bool wait_ready(std::chrono::milliseconds timeout);

  // Half-closes stdout/stderr, writes the outcome on the error stream and closes it.
  void finish(const ExecOutcome& outcome, bool attach);

  // runtime::ProcessIO
  bool has_stdin() const override { return options_.stdin; }
  bool has_stdout() const override { return options_.stdout; }
  bool has_stderr() const override { return options_.stderr; }
  size_t read_stdin(char* buf, size_t n) override;
  bool write_stdout(std::string_view data) override;
  bool write_stderr(std::string_view data) override;
  std::optional<runtime::TerminalSize> next_resize() override;
  bool closed() override { return gone_(); }
  void interrupt() override;

 private:
  int expected() const;

  const std::string protocol_;
  StreamOptions options_;
  std::function<bool()> gone_;

  std::mutex mu_;
  std::condition_variable cv_;
  int received_ = 0;
  std::shared_ptr<SpdyStream> error_, stdin_, stdout_, stderr_, resize_;

  // next_resize()'s state (one caller).
  TerminalSizeDecoder decoder_;
  std::deque<TerminalSizeEvent> sizes_;
};

}  // namespace nodeagent::nodeapi::streaming
