// Splits a fuzz input into named sections, for targets whose input is several files:
// "=== HEADER\n" then the content, up to the next "\n=== ". Plain text, so the seeds can be
// written by hand and libFuzzer's dictionaries and mutations work on each part.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pith::fuzz {

inline constexpr std::string_view k_section_mark = "=== ";
inline constexpr size_t k_max_sections = 16;

struct Section {
  std::string_view header;   // the rest of the "=== " line
  std::string_view content;  // up to (not including) the "\n" before the next "=== "
};

// The sections of `input`, at most k_max_sections (the last one then runs to the end of the
// input). An input that does not start with "=== " is one section with an empty header.
inline std::vector<Section> split_sections(std::string_view input) {
  std::vector<Section> out;
  if (!input.starts_with(k_section_mark)) {
    out.push_back({{}, input});
    return out;
  }
  size_t pos = k_section_mark.size();
  while (true) {
    size_t eol = input.find('\n', pos);
    if (eol == std::string_view::npos) {
      out.push_back({input.substr(pos), {}});
      break;
    }
    Section s{input.substr(pos, eol - pos), {}};
    size_t start = eol + 1;
    // From the header's own "\n": an empty content is followed by "=== " at once.
    size_t next =
        out.size() + 1 < k_max_sections ? input.find("\n=== ", eol) : std::string_view::npos;
    if (next == std::string_view::npos) {
      s.content = input.substr(start);
      out.push_back(s);
      break;
    }
    s.content = next > start ? input.substr(start, next - start) : std::string_view();
    out.push_back(s);
    pos = next + 1 + k_section_mark.size();
  }
  return out;
}

// The space-separated words of a header.
inline std::vector<std::string_view> header_words(std::string_view header) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(' ', pos);
    if (end == std::string_view::npos) end = header.size();
    words.push_back(header.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

}  // namespace pith::fuzz
