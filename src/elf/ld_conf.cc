// ld.so.conf reading, with includes expanded by a glob that lists folders inside the root.
#include "elf/ld_conf.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "util/lines.h"

namespace pith::elf {

namespace {

constexpr int k_max_depth = 8;  // includes of includes; more is a loop
constexpr uint64_t k_max_conf = 1 << 20;
// Files read for one ld.so.conf, includes included (Debian's has a dozen).
constexpr size_t k_max_files = 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = s.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = s.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    pos = end;
  }
  return out;
}

bool present(const LoaderRoot& root, const std::string& path) {
  auto e = root.exists(path);
  return e && *e;
}

void glob_from(const LoaderRoot& root, const std::string& dir, std::vector<std::string_view> parts,
               size_t i, std::vector<std::string>* out) {
  if (out->size() >= k_max_files) return;  // "include /*/*/*/*" matches a whole tree
  if (i == parts.size()) {
    out->push_back(dir.empty() ? "/" : dir);
    return;
  }
  std::string part(parts[i]);
  if (part.find_first_of("*?[") == std::string::npos) {
    std::string next = dir + "/" + part;
    if (i + 1 < parts.size() || present(root, next)) glob_from(root, next, parts, i + 1, out);
    return;
  }
  auto names = root.list(dir.empty() ? "/" : dir);
  if (!names) return;
  for (const auto& name : *names) {
    if (name.starts_with('.') && !part.starts_with('.')) continue;
    if (::fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0)
      glob_from(root, dir + "/" + name, parts, i + 1, out);
  }
}

// What one read of ld.so.conf has seen: each file is read once (a second include of it could
// add no directory, as the list keeps each once), so a file that includes itself, or several
// that include one another, cost one read each instead of growing exponentially.
struct ConfWalk {
  std::set<std::string> read;
  Result<void> status;
};

void read_conf(const LoaderRoot& root, const std::string& path, int depth,
               std::vector<std::string>* dirs, ConfWalk* walk) {
  if (depth > k_max_depth || walk->read.size() >= k_max_files) return;
  auto canonical = root.resolve(path);
  if (canonical && !walk->read.insert(canonical->path).second) return;
  auto text = root.read_file(path, k_max_conf);
  if (!text) {
    // A missing /etc/ld.so.conf lists nothing; a broken include is skipped, as ldconfig does.
    if (depth == 0 && present(root, path)) walk->status = std::move(text).error();
    return;
  }
  std::string dir = path.substr(0, path.rfind('/'));
  std::vector<std::string> here, includes;
  size_t pos = 0;
  const std::string& t = *text;
  while (pos < t.size()) {
    size_t end = t.find('\n', pos);
    if (end == std::string::npos) end = t.size();
    std::vector<std::string> line_includes;
    parse_ld_so_conf(std::string_view(t).substr(pos, end - pos), dir, dirs, &line_includes);
    for (const auto& pattern : line_includes)
      for (const auto& file : glob_in_root(root, pattern))
        read_conf(root, file, depth + 1, dirs, walk);
    pos = end + 1;
  }
}

}  // namespace

void parse_ld_so_conf(std::string_view text, const std::string& dir, std::vector<std::string>* dirs,
                      std::vector<std::string>* includes) {
  for (std::string_view line : split_lines(text)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    if (line.starts_with("include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      for (auto& w : words(line.substr(8)))
        includes->push_back(w.starts_with('/') ? w : dir + "/" + w);
      continue;
    }
    if (line.starts_with("hwcap") && line.size() > 5 && (line[5] == ' ' || line[5] == '\t'))
      continue;
    // Old ldconfig allowed "dir=TYPE"; the directory is what precedes '='.
    std::string d(trim(line.substr(0, line.find('='))));
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (d.starts_with('/')) dirs->push_back(d);
  }
}

std::vector<std::string> glob_in_root(const LoaderRoot& root, const std::string& pattern) {
  std::vector<std::string_view> parts;
  std::string_view p = pattern;
  size_t pos = 0;
  while (pos < p.size()) {
    size_t end = p.find('/', pos);
    if (end == std::string_view::npos) end = p.size();
    if (end > pos) parts.push_back(p.substr(pos, end - pos));
    pos = end + 1;
  }
  std::vector<std::string> out;
  glob_from(root, "", parts, 0, &out);
  return out;
}

Result<std::vector<std::string>> read_ld_so_conf(const LoaderRoot& root) {
  std::vector<std::string> dirs;
  ConfWalk walk;
  read_conf(root, "/etc/ld.so.conf", 0, &dirs, &walk);
  TRY(std::move(walk.status));
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (auto& d : dirs)
    if (seen.insert(d).second) unique.push_back(std::move(d));
  return unique;
}

}  // namespace pith::elf
