// The files a dpkg package owns: info/*.list and *.md5sums, and joining them to packages.
#include <algorithm>
#include <unordered_set>

#include "catalog/db_text.h"
#include "catalog/dpkg.h"

namespace pith::catalog {
namespace {

// Paths compare as if '/' sorted before every other byte, so that each entry's descendants
// follow it directly: "usr", "usr/bin", "usr-x" (plain byte order would put "usr-x" between).
bool path_less(std::string_view a, std::string_view b) {
  auto rank = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [&](char x, char y) { return rank(x) < rank(y); });
}

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string_view strip_suffix(std::string_view s, std::string_view suffix) {
  if (s.size() <= suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return {};
  return s.substr(0, s.size() - suffix.size());
}

}  // namespace

std::optional<DpkgFileListRef> dpkg_file_list_ref(std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  while (path.starts_with('/')) path.remove_prefix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view file = path.substr(slash + 1);
  std::string_view dirs = path.substr(0, slash);
  size_t dir_slash = dirs.rfind('/');
  std::string_view dir = dirs.substr(dir_slash == std::string_view::npos ? 0 : dir_slash + 1);
  std::string_view above = dir_slash == std::string_view::npos ? "" : dirs.substr(0, dir_slash);
  if (!(above == "dpkg" || above.ends_with("/dpkg"))) return std::nullopt;

  if (dir == "info") {
    if (auto key = strip_suffix(file, ".list"); !key.empty()) {
      return DpkgFileListRef{std::string(key), DpkgFileListKind::list};
    }
  }
  if (dir == "info" || dir == "status.d") {
    if (auto key = strip_suffix(file, ".md5sums"); !key.empty()) {
      return DpkgFileListRef{std::string(key), DpkgFileListKind::md5sums};
    }
  }
  return std::nullopt;
}

std::vector<std::string> parse_dpkg_file_list(std::string_view bytes) {
  // Entries without their leading '/', in file order.
  std::vector<std::string_view> entries;
  std::string_view rest = bytes;
  std::string_view line;
  while (db_text::next_line(rest, line)) {
    while (line.starts_with('/')) line.remove_prefix(1);
    while (line.ends_with('/')) line.remove_suffix(1);
    if (line.empty() || line == "." || line.find('\0') != std::string_view::npos) continue;
    entries.push_back(line);
  }

  // An entry is a directory when another entry lies below it; in path order that one follows
  // it directly, after any duplicates of the entry itself.
  std::vector<size_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return path_less(entries[a], entries[b]); });
  std::vector<bool> drop(entries.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    std::string_view e = entries[order[i]];
    size_t j = i + 1;
    while (j < order.size() && entries[order[j]] == e) drop[order[j++]] = true;  // duplicates
    if (j < order.size()) {
      std::string_view next = entries[order[j]];
      if (next.size() > e.size() && next.starts_with(e) && next[e.size()] == '/') {
        drop[order[i]] = true;
      }
    }
    i = j - 1;
  }

  std::vector<std::string> paths;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!drop[i]) paths.push_back("/" + std::string(entries[i]));
  }
  return paths;
}

std::vector<DpkgMd5sumsLine> parse_dpkg_md5sums_lines(std::string_view bytes,
                                                      std::string_view location,
                                                      std::vector<Warning>* warnings) {
  db_text::Warnings warn(warnings, location);
  std::vector<DpkgMd5sumsLine> lines;
  std::string_view rest = bytes;
  std::string_view line;
  size_t line_no = 0;
  while (db_text::next_line(rest, line)) {
    ++line_no;
    if (db_text::trim(line).empty()) continue;
    // md5sum's format: digest, a space, then ' ' (text) or '*' (binary), then the path, which
    // may itself hold spaces.
    size_t space = line.find(' ');
    std::string_view digest = line.substr(0, space);
    std::string_view path;
    if (space != std::string_view::npos) {
      path = line.substr(space + 1);
      if (path.starts_with(' ') || path.starts_with('*')) path.remove_prefix(1);
    }
    while (path.starts_with('/')) path.remove_prefix(1);
    if (!is_hex(digest) || path.empty() || path.find('\0') != std::string_view::npos) {
      warn.add("line " + std::to_string(line_no) +
               " is no '<md5>  <path>': " + db_text::quote(line));
      continue;
    }
    lines.push_back({"/" + std::string(path), line});
  }
  warn.finish();
  return lines;
}

std::vector<std::string> parse_dpkg_md5sums(std::string_view bytes, std::string_view location,
                                            std::vector<Warning>* warnings) {
  std::vector<std::string> paths;
  for (DpkgMd5sumsLine& l : parse_dpkg_md5sums_lines(bytes, location, warnings)) {
    paths.push_back(std::move(l.path));
  }
  return paths;
}

std::vector<std::string> dpkg_file_list_keys(std::string_view name, std::string_view arch) {
  std::vector<std::string> keys;
  if (!arch.empty()) keys.push_back(std::string(name) + ":" + std::string(arch));
  keys.emplace_back(name);
  return keys;
}

std::vector<std::string> dpkg_file_list_keys(const Package& p) {
  return dpkg_file_list_keys(p.name, p.arch);
}

namespace {

// A list names each file once; only the package's own few paths (Conffiles) may repeat.
void append_files(Package& p, const std::vector<std::string>& files) {
  std::unordered_set<std::string> own(p.files.begin(), p.files.end());
  p.files.reserve(p.files.size() + files.size());
  for (const std::string& path : files)
    if (!own.contains(path)) p.files.push_back(path);
}

// The list of the first of `p`'s keys found in `lists_by_key`, nullptr when none.
template <class Map, class Get>
const std::vector<std::string>* first_list(const Package& p, const Map& lists_by_key, Get get) {
  for (const std::string& key : dpkg_file_list_keys(p))
    if (auto it = lists_by_key.find(key); it != lists_by_key.end()) return get(it->second);
  return nullptr;
}

}  // namespace

void attach_dpkg_file_lists(
    Package& p, const std::unordered_map<std::string, std::vector<std::string>>& lists_by_key) {
  if (p.type != PackageType::deb) return;
  auto* files = first_list(p, lists_by_key, [](const auto& v) { return &v; });
  if (files != nullptr) append_files(p, *files);
}

void attach_dpkg_file_lists(
    Package& p,
    const std::unordered_map<std::string, const std::vector<std::string>*>& lists_by_key) {
  if (p.type != PackageType::deb) return;
  auto* files = first_list(p, lists_by_key, [](const auto* v) { return v; });
  if (files != nullptr) append_files(p, *files);
}

}  // namespace pith::catalog
