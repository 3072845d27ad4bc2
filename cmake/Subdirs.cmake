# nodeagent_add_subdirs(): adds every direct subfolder that has a CMakeLists.txt, so that each
# component (runtime/containerd, network/proxy, ...) owns its own build file.
macro(nodeagent_add_subdirs)
  file(GLOB _na_children LIST_DIRECTORIES true ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT _na_children)
  foreach(_na_child IN LISTS _na_children)
    if(IS_DIRECTORY ${_na_child} AND EXISTS ${_na_child}/CMakeLists.txt)
      add_subdirectory(${_na_child})
    endif()
  endforeach()
endmacro()
