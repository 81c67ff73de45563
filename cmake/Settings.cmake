# Shared compile settings: warnings for all of pith's own targets, optional sanitizers.
add_library(pith_settings INTERFACE)
target_compile_options(pith_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
  -Wno-gnu-statement-expression -Wno-unknown-warning-option)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ has no -Wno-gnu-statement-expression; -Wpedantic would flag TRY's statement expressions.
  target_compile_options(pith_settings INTERFACE -Wno-pedantic -Wno-unknown-warning-option)
endif()
if(PITH_WERROR)
  target_compile_options(pith_settings INTERFACE -Werror)
endif()
if(PITH_SANITIZE)
  target_compile_options(pith_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=undefined)
  target_link_options(pith_settings INTERFACE -fsanitize=address,undefined)
endif()
if(PITH_LIBFUZZER)
  # Coverage instrumentation for the libraries too, so the fuzzer sees inside the parsers.
  target_compile_options(pith_settings INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Sources compiled on their own in a unity build: their file-local helpers share a name with a
# neighbour's, or (ignore_regex.cc) a header type holds one of their anonymous-namespace types.
function(pith_unity_alone)
  set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                              PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()
