// Result<T> and Status: errors from the environment (containerd, kernel, files, bad input) are
// values, not exceptions. Both are [[nodiscard]]; to drop one on purpose, call .ignore_error().
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace nodeagent {

// Error categories the callers branch on; everything else is Internal/Unavailable with a message.
enum class ErrorCode {
  kInvalid,          // bad input: manifest, flag, request
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnavailable,      // a dependency (containerd, registry) cannot be reached right now
  kDeadlineExceeded,
  kInternal,
  // The API server's answers that callers act on (kube/client maps HTTP statuses onto these).
  kUnauthenticated,   // 401: the credentials were not accepted
  kPermissionDenied,  // 403: the identity may not do this
  kConflict,          // 409 Conflict: the object changed since it was read; re-read and retry
  kGone,              // 410 Gone: the resourceVersion is too old; relist
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // Prefixes context: Error{...}.wrap("pod default/web") -> "pod default/web: <message>".
  Error wrap(const std::string& context) const& { return Error{code, context + ": " + message}; }
};

inline Error invalid(std::string msg) { return Error{ErrorCode::kInvalid, std::move(msg)}; }
inline Error not_found(std::string msg) { return Error{ErrorCode::kNotFound, std::move(msg)}; }
inline Error failed_precondition(std::string msg) { return Error{ErrorCode::kFailedPrecondition, std::move(msg)}; }
inline Error internal(std::string msg) { return Error{ErrorCode::kInternal, std::move(msg)}; }
inline Error unavailable(std::string msg) { return Error{ErrorCode::kUnavailable, std::move(msg)}; }
// An error from a failed syscall: "<what>: <strerror(errno)>".
Error errno_error(const std::string& what, int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  void ignore_error() const {}

 private:
  std::variant<T, Error> v_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  void ignore_error() const {}

 private:
  Error error_;
  bool ok_ = true;
};

inline Status ok_status() { return Status(); }

}  // namespace nodeagent

// Early return on error, for Status- and Result-returning functions alike.
#define NA_RETURN_IF_ERROR(expr)                       \
  do {                                                 \
    auto _na_status = (expr);                          \
    if (!_na_status.ok()) return _na_status.error();   \
  } while (0)

#define NA_CONCAT_INNER(a, b) a##b
#define NA_CONCAT(a, b) NA_CONCAT_INNER(a, b)
// NA_ASSIGN_OR_RETURN(auto x, f()); — assigns the value or returns the error.
#define NA_ASSIGN_OR_RETURN(lhs, expr) NA_ASSIGN_OR_RETURN_IMPL(NA_CONCAT(_na_result_, __LINE__), lhs, expr)
#define NA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.error();             \
  lhs = std::move(tmp).value()
