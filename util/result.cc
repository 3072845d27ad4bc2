#include "util/result.h"

#include <cstring>

namespace nodeagent {

Error errno_error(const std::string& what, int err) {
  ErrorCode code = ErrorCode::kInternal;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  if (err == EEXIST) code = ErrorCode::kAlreadyExists;
  if (err == EINVAL) code = ErrorCode::kInvalid;
  return Error{code, what + ": " + std::strerror(err)};
}

}  // namespace nodeagent
