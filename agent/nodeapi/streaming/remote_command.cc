#include "agent/nodeapi/streaming/remote_command.h"

namespace nodeagent::nodeapi::streaming {

RemoteCommandStreams::RemoteCommandStreams(std::string protocol, StreamOptions options, std::function<bool()> gone)
    : protocol_(std::move(protocol)), options_(options), gone_(std::move(gone)) {
  // Before v3 there is no resize stream; the TTY is still allocated.
}

int RemoteCommandStreams::expected() const {
  bool resize = options_.tty && (protocol_ == "v4.channel.k8s.io" || protocol_ == "v3.channel.k8s.io");
  return 1 + options_.stdin + options_.stdout + options_.stderr + resize;
}

bool RemoteCommandStreams::add(const std::shared_ptr<SpdyStream>& stream) {
  std::string type = stream->header("streamtype");
  std::lock_guard lock(mu_);
  std::shared_ptr<SpdyStream>* slot = nullptr;
  if (type == "error") slot = &error_;
  else if (type == "stdin") slot = &stdin_;
  else if (type == "stdout") slot = &stdout_;
  else if (type == "stderr") slot = &stderr_;
  else if (type == "resize") slot = &resize_;
  // Upstream answers streams of unknown type too and never uses them.
  if (slot == nullptr) return true;
  if (*slot) return false;
  *slot = stream;
  ++received_;
  cv_.notify_all();
  return true;
}

bool RemoteCommandStreams::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_ < expected()) {
    if (gone_()) return false;
    if (cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) ==
            std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline)
      return false;
  }
  // v1 (channel.k8s.io) closes stdin at once: its clients never send EOF (issue 13394).
  if (protocol_ == "channel.k8s.io" && stdin_) {
    stdin_->interrupt_reads();
    options_.stdin = false;
  }
  // A stream the options did not ask for is not used.
  if (!options_.stdin) stdin_.reset();
  if (!options_.stdout) stdout_.reset();
  if (!options_.stderr) stderr_.reset();
  return true;
}

size_t RemoteCommandStreams::read_stdin(char* buf, size_t n) { return stdin_ ? stdin_->read(buf, n) : 0; }

bool RemoteCommandStreams::write_stdout(std::string_view data) { return stdout_ && stdout_->write(data); }

bool RemoteCommandStreams::write_stderr(std::string_view data) { return stderr_ && stderr_->write(data); }

std::optional<runtime::TerminalSize> RemoteCommandStreams::next_resize() {
  if (!resize_) return std::nullopt;
  char buf[1024];
  while (sizes_.empty()) {
    size_t n = resize_->read(buf, sizeof buf);
    if (n == 0) return std::nullopt;
    for (const auto& e : decoder_.feed(std::string_view(buf, n))) sizes_.push_back(e);
  }
  auto e = sizes_.front();
  sizes_.pop_front();
  return runtime::TerminalSize{e.width, e.height};
}

void RemoteCommandStreams::interrupt() {
  if (stdin_) stdin_->interrupt_reads();
  if (resize_) resize_->interrupt_reads();
}

void RemoteCommandStreams::finish(const ExecOutcome& outcome, bool attach) {
  if (stdout_) stdout_->close();
  if (stderr_) stderr_->close();
  if (error_) {
    std::string payload = error_stream_payload(protocol_, outcome, attach);
    if (!payload.empty()) error_->write(payload);
    error_->close();
  }
}

}  // namespace nodeagent::nodeapi::streaming
