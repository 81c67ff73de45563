// How deep a JSON text nests, counted before it is parsed: a DOM parser recurses per level,
// so a hostile document of a million '[' would exhaust the stack.
#pragma once

#include <cstddef>
#include <string_view>

namespace pith {

// Whether no array or object of `text` nests deeper than `max_depth` (strings skipped, their
// escapes included). Says nothing of whether `text` is valid JSON.
inline bool json_nesting_within(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace pith
