# Our own targets build with -Wall -Wextra -Werror; generated protobuf code is compiled
# without them (see proto/CMakeLists.txt), since we do not own it.
function(nodeagent_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
  if(NODEAGENT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NODEAGENT_SANITIZE)
    # GCC 12 reports false maybe-uninitialized warnings inside <regex> and <functional> once
    # -fsanitize instruments them; the plain build keeps the warning.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()
