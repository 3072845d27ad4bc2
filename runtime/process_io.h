// The client end of an interactive process (exec -it, attach): what the runtime reads the
// process's stdin from and writes its output to, from threads of its own. The streaming
// server implements it over SPDY streams; tests implement it over buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nodeagent::runtime {

struct TerminalSize {
  uint16_t width = 0;
  uint16_t height = 0;
};

class ProcessIO {
 public:
  virtual ~ProcessIO() = default;
  virtual bool has_stdin() const = 0;
  virtual bool has_stdout() const = 0;
  virtual bool has_stderr() const = 0;
  // Blocks until input arrives; 0 when the client closed stdin (or after interrupt()).
  virtual size_t read_stdin(char* buf, size_t n) = 0;
  // false once the client is gone.
  virtual bool write_stdout(std::string_view data) = 0;
  virtual bool write_stderr(std::string_view data) = 0;
  // Blocks for the next terminal size the client asks for; nullopt when there will be none
  // (no TTY, the client closed its resize stream, or after interrupt()).
  virtual std::optional<TerminalSize> next_resize() = 0;
  // Whether the client has gone away (the runtime then ends the process).
  virtual bool closed() = 0;
  // Called by the runtime once the process has exited: pending and later read_stdin and
  // next_resize calls return at once.
  virtual void interrupt() = 0;
};

}  // namespace nodeagent::runtime
