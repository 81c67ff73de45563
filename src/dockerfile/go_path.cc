// filepath.Clean, filepath.Dir and filepath.Match's syntax check (see go_path.h).
#include "dockerfile/go_path.h"

#include <vector>

#include "dockerfile/go_text.h"

namespace pith::dockerfile {

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string_view> names;
  size_t dotdots = 0;  // leading ".." names of a relative path, kept
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view name = path.substr(pos, end - pos);
    pos = end + 1;
    if (name.empty() || name == ".") continue;
    if (name == "..") {
      if (names.size() > dotdots) {
        names.pop_back();
      } else if (!rooted) {
        names.push_back(name);
        ++dotdots;
      }
      continue;
    }
    names.push_back(name);
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += '/';
    out.append(names[i]);
  }
  return out.empty() ? "." : out;
}

std::string dir_path(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view dir =
      slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
  return clean_path(dir);
}

namespace {

// getEsc: one character of a class (a backslash escapes the next), never '-' or ']' unescaped,
// and something must follow it.
bool class_char(std::string_view& chunk) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  Rune r = decode_rune(chunk, 0);
  if (r.value == k_rune_error && r.width == 1) return false;
  chunk.remove_prefix(r.width);
  return !chunk.empty();
}

}  // namespace

bool valid_match_pattern(std::string_view p) {
  while (!p.empty()) {
    char c = p[0];
    if (c == '[') {
      p.remove_prefix(1);
      if (!p.empty() && p[0] == '^') p.remove_prefix(1);
      int ranges = 0;
      for (;;) {
        if (!p.empty() && p[0] == ']' && ranges > 0) {
          p.remove_prefix(1);
          break;
        }
        if (!class_char(p)) return false;
        if (p[0] == '-') {
          p.remove_prefix(1);
          if (!class_char(p)) return false;
        }
        ++ranges;
      }
    } else if (c == '\\') {
      p.remove_prefix(1);
      if (p.empty()) return false;
      p.remove_prefix(1);
    } else {
      p.remove_prefix(1);
    }
  }
  return true;
}

}  // namespace pith::dockerfile
