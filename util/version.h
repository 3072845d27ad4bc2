// The project's version (CMake's PROJECT_VERSION), for --version, nodectl version and the
// local API: one place, so that a release bump is one line in CMakeLists.txt.
#pragma once

namespace nodeagent {

const char* version();

}  // namespace nodeagent
