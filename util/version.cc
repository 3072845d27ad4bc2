// The version string, compiled in from CMake (see version.h).
#include "util/version.h"

namespace nodeagent {

const char* version() { return NODEAGENT_VERSION; }

}  // namespace nodeagent
