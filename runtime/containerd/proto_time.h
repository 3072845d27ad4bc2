// Conversions between protobuf Timestamps as containerd sends them and our TimePoints.
#pragma once

#include <optional>

#include <google/protobuf/timestamp.pb.h>

#include "runtime/types.h"

namespace nodeagent::runtime::ctd {

// nullopt for an unset time: containerd (Go, gogoproto stdtime) encodes "zero" either as an
// absent field or as 0001-01-01T00:00:00Z.
inline std::optional<TimePoint> to_time_point(const google::protobuf::Timestamp& ts) {
  constexpr int64_t kGoZeroTime = -62135596800;  // 0001-01-01T00:00:00Z in Unix seconds
  if ((ts.seconds() == 0 && ts.nanos() == 0) || ts.seconds() <= kGoZeroTime) return std::nullopt;
  auto since_epoch = std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos());
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(since_epoch));
}

}  // namespace nodeagent::runtime::ctd
