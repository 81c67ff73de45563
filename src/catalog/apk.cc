// lib/apk/db/installed records to Packages, read the way apk-tools reads its own database.
#include "catalog/apk.h"

#include <algorithm>

#include "catalog/db_text.h"
#include "catalog/relations.h"

namespace pith::catalog {
namespace {

// Longest F directory or R file name taken; Linux's PATH_MAX. A longer one is garbage.
constexpr size_t k_max_path = 4096;

// One record as read, before it becomes a Package.
struct Record {
  size_t line = 0;
  std::string_view name, version, arch, license, origin, size, depends, provides;
  bool has_name = false;
  bool has_version = false;
  std::string_view dir;  // the latest F
  std::vector<std::string> files;
  std::string problem;  // non-empty: malformed, skipped
};

bool printable_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

class Reader {
 public:
  Reader(std::string_view bytes, std::string_view location, const OsContext& os,
         std::vector<Warning>* warnings)
      : m_location(location),
        m_os(os),
        m_warn(warnings, location),
        // Each R line becomes "/dir/name": a hostile file repeating "R:x" under a long F could
        // multiply its size, so file paths get a budget proportional to the input.
        m_file_budget(bytes.size() * 64 + 65536) {}

  void add_line(std::string_view line, size_t line_no) {
    if (!m_open) {
      m_open = true;
      m_rec = Record{};
      m_rec.line = line_no;
    }
    if (!m_rec.problem.empty()) return;
    if (line.find('\0') != std::string_view::npos) {
      fail("NUL byte on line " + std::to_string(line_no));
      return;
    }
    if (line[1] != ':') {
      fail("line " + std::to_string(line_no) + " is no K:value: " + db_text::quote(line));
      return;
    }
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        if (m_rec.has_name) return fail("repeated P: on line " + std::to_string(line_no));
        m_rec.has_name = true;
        m_rec.name = value;
        break;
      case 'V':
        if (m_rec.has_version) return fail("repeated V: on line " + std::to_string(line_no));
        m_rec.has_version = true;
        m_rec.version = value;
        break;
      case 'A':
        m_rec.arch = value;
        break;
      case 'L':
        m_rec.license = value;
        break;
      case 'o':
        m_rec.origin = value;
        break;
      case 'D':
        m_rec.depends = value;
        break;
      case 'p':
        m_rec.provides = value;
        break;
      case 'I':
        m_rec.size = value;
        break;
      case 'F':
        while (value.starts_with('/')) value.remove_prefix(1);
        while (value.ends_with('/')) value.remove_suffix(1);
        if (value.size() > k_max_path) return fail("F: longer than " + std::to_string(k_max_path));
        m_rec.dir = value;
        break;
      case 'R':
        add_file(value);
        break;
      default:  // checksums, ownership...: not in the Package model
        break;
    }
  }

  void close() {
    if (!m_open) return;
    m_open = false;
    if (!m_rec.problem.empty()) {
      ++m_malformed;
      warn("skipped: " + m_rec.problem);
      return;
    }
    ++m_well_formed;
    if (!m_rec.has_name) return warn("skipped: no P:");
    if (!printable_token(m_rec.name))
      return warn("skipped: invalid P: " + db_text::quote(m_rec.name));
    std::string name(m_rec.name);
    if (!m_rec.has_version || m_rec.version.empty())
      return warn("package " + name + ": no V:, dropped");
    if (!printable_token(m_rec.version)) {
      return warn("package " + name + ": invalid V: " + db_text::quote(m_rec.version));
    }

    Package p;
    p.type = PackageType::apk;
    p.name = std::move(name);
    p.version = m_rec.version;
    p.arch = db_text::trim(m_rec.arch);
    p.license = db_text::trim(m_rec.license);
    p.source_package = db_text::trim(m_rec.origin);
    if (!m_rec.size.empty()) {
      if (auto size = db_text::parse_u64(db_text::trim(m_rec.size))) {
        p.installed_size = *size;
      } else {
        warn("package " + p.name + ": I: is no size: " + db_text::quote(m_rec.size));
      }
    }
    p.location = m_location;
    p.purl = db_text::os_package_purl("apk", "alpine", p.name, p.version, p.arch, m_os);
    p.files = std::move(m_rec.files);
    p.depends = parse_apk_depends(m_rec.depends);
    p.provides = parse_apk_provides(m_rec.provides);
    m_packages.push_back(std::move(p));
  }

  Result<std::vector<Package>> finish() && {
    m_warn.finish();
    if (m_well_formed == 0 && m_malformed > 0) {
      return make_error(m_location + ": not an apk database (" + std::to_string(m_malformed) +
                        " malformed records, none readable)");
    }
    return std::move(m_packages);
  }

 private:
  void fail(std::string problem) {
    m_rec.problem = std::move(problem);
    m_rec.files.clear();
  }

  void warn(const std::string& message) {
    m_warn.add("record at line " + std::to_string(m_rec.line) + " " + message);
  }

  void add_file(std::string_view name) {
    if (name.empty()) return;
    if (name.size() > k_max_path) return fail("R: longer than " + std::to_string(k_max_path));
    std::string path = "/";
    if (!m_rec.dir.empty()) {
      path += m_rec.dir;
      path += '/';
    }
    path += name;
    if (path.size() > m_file_budget) return fail("file list larger than the input allows");
    m_file_budget -= path.size();
    m_rec.files.push_back(std::move(path));
  }

  std::string m_location;
  const OsContext& m_os;
  db_text::Warnings m_warn;
  uint64_t m_file_budget;
  Record m_rec;
  bool m_open = false;
  size_t m_malformed = 0;
  size_t m_well_formed = 0;
  std::vector<Package> m_packages;
};

}  // namespace

void for_each_apk_record(std::string_view bytes, const ApkRecordVisitor& visit) {
  size_t start = 0;  // offset of the open record's first line
  size_t end = 0;    // end of its last line so far
  size_t start_line = 0;
  bool open = false;
  std::string_view rest = bytes;
  std::string_view line;
  size_t line_no = 0;
  while (db_text::next_line(rest, line)) {
    ++line_no;
    if (line.size() < 2) {  // apk-tools ends a record at any line shorter than "K:"
      if (open) visit(start_line, bytes.substr(start, end - start));
      open = false;
      continue;
    }
    size_t offset = static_cast<size_t>(line.data() - bytes.data());
    if (!open) {
      open = true;
      start = offset;
      start_line = line_no;
    }
    end = offset + line.size();
  }
  if (open) visit(start_line, bytes.substr(start, end - start));
}

Result<std::vector<Package>> parse_apk_installed(std::string_view bytes, std::string_view location,
                                                 const OsContext& os,
                                                 std::vector<Warning>* warnings) {
  Reader reader(bytes, location, os, warnings);
  for_each_apk_record(bytes, [&](size_t line_no, std::string_view text) {
    std::string_view line;
    while (db_text::next_line(text, line)) reader.add_line(line, line_no++);
    reader.close();
  });
  return std::move(reader).finish();
}

}  // namespace pith::catalog
