// The one owner of the terminal: a live area of lines redrawn in place on stderr, below lines that
// stay (skopeo's blob lines, inspect's progress line). Every progress display draws through it;
// when stderr is not a terminal nothing is drawn at all, so pipes and logs see only the results.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace pith {

class LiveArea {
 public:
  // stderr when it is a terminal; otherwise disabled.
  LiveArea();
  // `out`, terminal or not, lines cut to `width` columns (tests).
  LiveArea(std::FILE* out, int width);
  bool enabled() const { return m_out != nullptr; }
  // Prints `lasting` (they scroll up and stay), then `live` in place of the live lines drawn last
  // time. Lines are cut to the terminal's width: a wrapped line would make the count of lines to
  // move up wrong. The caller serialises calls.
  void draw(const std::vector<std::string>& lasting, const std::vector<std::string>& live);
  // Erases the live lines.
  void clear() { draw({}, {}); }

 private:
  int width() const;

  std::FILE* m_out = nullptr;
  int m_fixed_width = 0;  // 0: the terminal's
  int m_live_lines = 0;   // drawn below the cursor's line, to erase
};

}  // namespace pith
