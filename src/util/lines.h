// Splitting text into lines, for the small line-oriented files pith reads (os-release,
// nsswitch.conf, ld.so.conf): views into the text, no trailing empty line after a final '\n'.
#pragma once

#include <string_view>
#include <vector>

namespace pith {

inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

}  // namespace pith
