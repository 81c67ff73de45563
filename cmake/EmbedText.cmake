# cmake -DINPUT=FILE -DOUTPUT=HEADER -DNAME=IDENT -P EmbedText.cmake
# Writes HEADER with FILE's bytes as `inline constexpr char IDENT[]` (NUL-terminated) and
# IDENT_size: a resource kept as a readable file in the repository (the report page's
# template), compiled into the binary. Bytes, not a raw string literal: no delimiter to clash
# with and no escaping of what the file holds.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
# Twenty bytes a line keeps the compiler's lines short (CMake's regexes have no {20}).
string(REPEAT "'[^']+'," 20 twenty)
string(REGEX REPLACE "(${twenty})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/EmbedText.cmake: do not edit.\n"
  "#pragma once\n#include <cstddef>\n"
  "inline constexpr char ${NAME}[] = {\n${bytes}'\\0'};\n"
  "inline constexpr std::size_t ${NAME}_size = ${size};\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
