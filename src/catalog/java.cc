// Walks Java archives in memory with libarchive (zip, central directory first, so skipped entries
// are never inflated) and recurses into nested archives under shared size and entry budgets.
#include "catalog/java.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <vector>

namespace pith::catalog {
namespace {

constexpr std::string_view k_archive_exts[] = {".jar", ".war", ".ear", ".jpi", ".hpi"};
constexpr size_t k_chunk = 64 * 1024;

bool has_archive_ext(std::string_view path) {
  for (std::string_view ext : k_archive_exts)
    if (ends_with_icase(path, ext)) return true;
  return false;
}

bool is_pom_properties(std::string_view path) {
  return path.starts_with("META-INF/maven/") && path.ends_with("/pom.properties");
}

std::string attr(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

class Walker {
 public:
  explicit Walker(const JavaLimits& limits)
      : m_limits(limits),
        m_bytes_left(limits.max_total_bytes),
        m_entries_left(limits.max_entries) {}

  // Catalogs one archive; an Error only when it cannot be opened as a zip at all.
  Result<void> walk(std::string_view bytes, const std::string& location, int depth);
  Findings& findings() { return m_out; }

 private:
  // The current entry's bytes, at most `cap`; an Error when it is larger, unreadable, or the
  // total budget runs out (then m_exhausted is set).
  Result<std::string> read_entry(archive* a, archive_entry* e, uint64_t cap);
  void warn(const std::string& location, std::string message) {
    m_out.warnings.push_back({location, std::move(message)});
  }
  void add_packages(const std::string& location, const std::map<std::string, std::string>& manifest,
                    const std::vector<std::map<std::string, std::string>>& poms);

  const JavaLimits& m_limits;
  uint64_t m_bytes_left;
  uint64_t m_entries_left;
  bool m_exhausted = false;
  Findings m_out;
};

Result<std::string> Walker::read_entry(archive* a, archive_entry* e, uint64_t cap) {
  if (archive_entry_size_is_set(e) && static_cast<uint64_t>(archive_entry_size(e)) > cap)
    return make_error("entry larger than " + std::to_string(cap) + " bytes");
  std::string data;
  std::unique_ptr<char[]> buf(new char[k_chunk]);
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf.get(), k_chunk);
    if (n == 0) return data;
    if (n < 0) return make_error(archive_error_string(a) ? archive_error_string(a) : "read error");
    auto got = static_cast<uint64_t>(n);
    if (got > m_bytes_left) {
      m_exhausted = true;
      return make_error("decompressed size limit reached");
    }
    m_bytes_left -= got;
    // The declared size may lie (a zip bomb); the actual bytes decide.
    if (data.size() + got > cap)
      return make_error("entry larger than " + std::to_string(cap) + " bytes");
    data.append(buf.get(), got);
  }
}

void Walker::add_packages(const std::string& location,
                          const std::map<std::string, std::string>& manifest,
                          const std::vector<std::map<std::string, std::string>>& poms) {
  auto make = [&](std::string group, std::string name, std::string version) {
    Package p;
    p.type = PackageType::maven;
    p.purl = make_purl("maven", group, name, version);
    p.name = std::move(name);
    p.version = std::move(version);
    p.location = location;
    return p;
  };
  auto [file_name, file_version] = java_name_version_from_filename(base_name(location));
  bool named_by_pom = false;
  std::vector<Package> from_poms;
  for (const auto& props : poms) {
    std::string g = attr(props, "groupId"), a = attr(props, "artifactId"),
                v = attr(props, "version");
    if (g.empty() || a.empty() || v.empty()) {
      warn(location, "pom.properties without groupId, artifactId or version");
      continue;
    }
    named_by_pom |= a == file_name;
    from_poms.push_back(make(g, a, v));
  }
  if (!named_by_pom) {
    // The archive names itself only through its file name and manifest.
    std::string name = file_name;
    for (const char* key : {"bundle-symbolicname", "implementation-title", "specification-title"})
      if (name.empty()) name = attr(manifest, key).substr(0, attr(manifest, key).find(';'));
    std::string version;
    for (const char* key : {"implementation-version", "bundle-version", "specification-version"})
      if (version.empty()) version = attr(manifest, key);
    if (version.empty()) version = file_version;
    if (!name.empty() && !version.empty()) {
      Package p = make(attr(manifest, "implementation-vendor-id"), name, version);
      p.license = attr(manifest, "bundle-license");
      m_out.packages.push_back(std::move(p));
    }
  }
  for (Package& p : from_poms) m_out.packages.push_back(std::move(p));
}

Result<void> Walker::walk(std::string_view bytes, const std::string& location, int depth) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  if (!a) return make_error("out of memory");
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return make_error(std::string("not a zip archive: ") +
                      (archive_error_string(a.get()) ? archive_error_string(a.get()) : "?"));
  std::map<std::string, std::string> manifest;
  std::vector<std::map<std::string, std::string>> poms;
  std::vector<std::pair<std::string, std::string>> nested;  // entry path, bytes
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const char* why = archive_error_string(a.get());
      warn(location, std::string("archive read stopped: ") + (why ? why : "?"));
      if (r == ARCHIVE_FATAL) break;
      continue;
    }
    if (m_entries_left == 0) {
      warn(location, "entry count limit reached");
      m_exhausted = true;
      break;
    }
    --m_entries_left;
    const char* raw = archive_entry_pathname(e);
    if (!raw || archive_entry_filetype(e) != AE_IFREG) continue;
    std::string path = raw;
    bool is_manifest = ascii_lower(path) == "meta-inf/manifest.mf";
    bool is_pom = is_pom_properties(path);
    bool is_nested = has_archive_ext(path);
    if (!is_manifest && !is_pom && !is_nested) continue;
    if (is_nested && depth >= m_limits.max_depth) {
      warn(location + ":" + path, "nested archive too deep, skipped");
      continue;
    }
    uint64_t cap = is_nested ? m_limits.max_nested_bytes : m_limits.max_metadata_bytes;
    auto data = read_entry(a.get(), e, cap);
    if (!data) {
      warn(location + ":" + path, data.error().message);
      if (m_exhausted) break;
      continue;
    }
    if (is_manifest)
      manifest = parse_java_manifest(*data);
    else if (is_pom)
      poms.push_back(parse_java_properties(*data));
    else
      nested.emplace_back(std::move(path), std::move(*data));
  }
  add_packages(location, manifest, poms);
  for (auto& [path, data] : nested) {
    if (m_exhausted) break;
    std::string inner = location + ":" + path;
    auto r = walk(data, inner, depth + 1);
    if (!r) warn(inner, r.error().message);
    std::string().swap(data);  // release each nested archive once catalogued
  }
  return {};
}

}  // namespace

Result<Findings> parse_java_archive(std::string_view bytes, std::string_view location,
                                    const JavaLimits& limits) {
  Walker w(limits);
  TRY(w.walk(bytes, std::string(location), 0));
  return std::move(w.findings());
}

bool looks_like_java_archive(std::string_view path, std::string_view first_bytes) {
  if (!has_archive_ext(path)) return false;
  return first_bytes.empty() || first_bytes.starts_with("PK");
}

}  // namespace pith::catalog
