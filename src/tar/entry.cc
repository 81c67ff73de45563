// Path normalisation and the `ls -l` style rendering of entries.
#include "tar/entry.h"

#include <vector>

namespace pith::tar {

namespace {

enum class AboveRoot { refuse, stay };

// Resolves "", "." and ".." lexically; false only when ".." climbs above the root and that is
// refused.
bool normalize(std::string_view in, std::string& out, AboveRoot above_root) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= in.size()) {
    size_t slash = in.find('/', pos);
    if (slash == std::string_view::npos) slash = in.size();
    std::string_view part = in.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        if (above_root == AboveRoot::refuse) return false;
        continue;
      }
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string result;
  for (std::string_view p : parts) {
    if (!result.empty()) result += '/';
    result += p;
  }
  out = std::move(result);
  return true;
}

}  // namespace

bool normalize_path(std::string_view in, std::string& out) {
  // A ".." that climbs above the root is how an archive escapes its extraction directory.
  return normalize(in, out, AboveRoot::refuse);
}

std::string normalize_path_in_root(std::string_view in) {
  std::string out;
  normalize(in, out, AboveRoot::stay);
  return out;
}

std::string check_limits(const Entry& e) {
  if (e.path.size() > k_max_path_bytes)
    return "path is longer than " + std::to_string(k_max_path_bytes) + " bytes";
  for (size_t start = 0; start < e.path.size();) {
    size_t end = e.path.find('/', start);
    if (end == std::string::npos) end = e.path.size();
    if (end - start > k_max_name_bytes)
      return "a name in the path is longer than " + std::to_string(k_max_name_bytes) + " bytes";
    start = end + 1;
  }
  if (e.link_target.size() > k_max_path_bytes)
    return "link target is longer than " + std::to_string(k_max_path_bytes) + " bytes";
  return "";
}

std::string shown_path(std::string_view path) {
  if (path.size() <= 100) return std::string(path);
  return std::string(path.substr(0, 100)) + "... (" + std::to_string(path.size()) + " bytes)";
}

char type_char(EntryType t) {
  switch (t) {
    case EntryType::regular:
      return '-';
    case EntryType::directory:
      return 'd';
    case EntryType::symlink:
      return 'l';
    case EntryType::hardlink:
      return 'h';
    case EntryType::char_device:
      return 'c';
    case EntryType::block_device:
      return 'b';
    case EntryType::fifo:
      return 'p';
  }
  return '?';
}

std::string mode_string(const Entry& e) {
  std::string s(10, '-');
  s[0] = type_char(e.type);
  static constexpr char k_rwx[] = "rwx";
  for (int i = 0; i < 9; ++i) {
    if (e.mode & (0400u >> i)) s[static_cast<size_t>(1 + i)] = k_rwx[i % 3];
  }
  // The execute slot shows the special bit: lower case when execute is also set.
  auto special = [&](size_t slot, uint32_t bit, char with_x, char without_x) {
    if (!(e.mode & bit)) return;
    s[slot] = s[slot] == 'x' ? with_x : without_x;
  };
  special(3, 04000, 's', 'S');
  special(6, 02000, 's', 'S');
  special(9, 01000, 't', 'T');
  return s;
}

}  // namespace pith::tar
