// apk package metadata: lib/apk/db/installed rewritten with the records of the packages that
// own included files, each record's F:/R: lists cut to those files (other fields kept).
#include "build/package_metadata_parts.h"
#include "catalog/apk.h"

namespace pith::build::detail {
namespace {

// apk-tools 2 keeps its database in /lib, apk-tools 3 (and Wolfi's) in /usr/lib.
constexpr const char* k_installed[] = {"/lib/apk/db/installed", "/usr/lib/apk/db/installed"};
constexpr uint64_t k_installed_limit = 256 << 20;

// Lines of a record (views into it), split as apk splits them.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
  }
  return lines;
}

std::string_view trim_slashes(std::string_view s) {
  while (s.starts_with('/')) s.remove_prefix(1);
  while (s.ends_with('/')) s.remove_suffix(1);
  return s;
}

// The record with only the included files: the package's own fields (before the first F:)
// as they are; then each F: block (the F: line and its M: etc.) that keeps a file, with the
// R: entries (each with the a:/Z: lines after it) of included files.
std::string cut_record(std::string_view text, PathMatcher& matcher) {
  std::string out;
  std::string block;  // the current F: line and its attributes, not yet written
  bool in_dirs = false;
  bool block_written = false;
  bool keep_entry = false;  // whether the lines of the current R: entry are kept
  bool in_entry = false;
  std::string_view dir;
  for (std::string_view line : lines_of(text)) {
    char key = line.size() >= 2 && line[1] == ':' ? line[0] : '\0';
    if (key == 'F') {
      in_dirs = true;
      in_entry = false;
      block_written = false;
      dir = trim_slashes(line.substr(2));
      block = std::string(line) + '\n';
    } else if (key == 'R' && in_dirs) {
      in_entry = true;
      std::string path = "/" + std::string(dir) + (dir.empty() ? "" : "/");
      path += line.substr(2);
      keep_entry = matcher.included(path).has_value();
      if (keep_entry && !block_written) {
        out += block;
        block_written = true;
      }
      if (keep_entry) out += std::string(line) + '\n';
    } else if (!in_dirs) {
      out += std::string(line) + '\n';
    } else if (in_entry) {
      if (keep_entry) out += std::string(line) + '\n';
    } else if (block_written) {
      out += std::string(line) + '\n';
    } else {
      block += std::string(line) + '\n';
    }
  }
  return out;
}

}  // namespace

void add_apk_metadata(const RootDir& root, PathMatcher& matcher, PackageMetadata& out) {
  for (const char* location : k_installed) {
    auto bytes = read_database(root, location, k_installed_limit, out.warnings);
    if (!bytes) continue;
    // One pass over the whole file for its warnings (with their line numbers) and to reject a
    // file that is no database; then record by record, each parsed alone to know its package.
    // A file that is no database at all gets one warning, not one per line of garbage.
    std::vector<catalog::Warning> warnings;
    auto all = catalog::parse_apk_installed(*bytes, location, {}, &warnings);
    if (!all) {
      out.warnings.push_back({location, all.error().message});
      continue;
    }
    out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
    std::string installed;
    catalog::for_each_apk_record(*bytes, [&](size_t, std::string_view text) {
      auto one = catalog::parse_apk_installed(text, location, {});
      if (!one || one->size() != 1) return;
      catalog::Package p = std::move(one->front());
      std::vector<std::string> owned = matcher.owned(p.files);
      if (owned.empty()) return;
      // apk ends every record with an empty line.
      installed += cut_record(text, matcher) + '\n';
      p.files = std::move(owned);
      out.packages.push_back(std::move(p));
    });
    if (!installed.empty()) out.files.push_back({location, std::move(installed)});
    return;  // one database per root (/lib/apk may be a link to /usr/lib/apk)
  }
}

}  // namespace pith::build::detail
