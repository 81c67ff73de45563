// The exec form of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME and HEALTHCHECK CMD: a JSON
// array of strings, decided exactly as BuildKit decides it (Go's encoding/json into []any):
// text that is not valid JSON is shell form; valid JSON with a non-string element is an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pith::dockerfile {

enum class JsonArrayKind {
  strings,      // a JSON array of strings: the exec form
  not_json,     // not a JSON array (or not valid JSON): the shell form
  not_strings,  // a valid JSON array holding something else than strings: an error
};

struct JsonArray {
  JsonArrayKind kind = JsonArrayKind::not_json;
  std::vector<std::string> items;  // decoded as Go decodes them (bad UTF-8 becomes U+FFFD)
};

// text must start at its '[' (leading spaces removed by the caller); JSON white space may
// follow the array, nothing else. Nesting deeper than k_max_json_depth is not JSON, as in Go.
JsonArray parse_json_array(std::string_view text);

}  // namespace pith::dockerfile
