// The SPDY/3 header compression dictionary (the same bytes in every SPDY/3 implementation).
#pragma once

#include <string_view>

namespace nodeagent::nodeapi::streaming {

std::string_view spdy3_header_dictionary();

}  // namespace nodeagent::nodeapi::streaming
