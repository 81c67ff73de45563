// Varints, strings and sorted paths, and the records of a layer's analysis written with them.
#include "fleet/record.h"

#include <algorithm>

#include "util/limits.h"

namespace pith::fleet {

namespace {

constexpr int k_max_varint_bytes = 10;  // 64 bits, 7 at a time
// Strings that are neither paths nor contents (names, versions, purls, messages): long ones
// are hostile.
constexpr uint64_t k_max_field_bytes = 1 << 20;
// Version names an ELF file defines or needs, packages' relations: far beyond any real file.
constexpr uint64_t k_max_list_items = 1 << 20;

template <class Enum>
Result<Enum> get_enum(RecordReader& r, std::string_view what, Enum last) {
  return static_cast<Enum>(TRY(r.u64(what, static_cast<uint64_t>(last))));
}

Result<void> count_kept(RecordReader& r, DecodeBudget& budget, uint64_t n) {
  if ((budget.kept_bytes += n) > k_max_kept_bytes)
    return r.error("contents", "more than " + std::to_string(k_max_kept_bytes) + " bytes");
  return {};
}

template <class Map>
void put_map(RecordWriter& w, const Map& m) {
  std::vector<const typename Map::value_type*> sorted;
  sorted.reserve(m.size());
  for (const auto& kv : m) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  w.u64(sorted.size());
  for (const auto* kv : sorted) {
    w.path(kv->first);
    w.bytes(kv->second);
  }
}

Result<std::optional<std::string>> get_optional(RecordReader& r, std::string_view what) {
  if (!TRY(r.boolean(what))) return std::optional<std::string>();
  return std::optional<std::string>(TRY(r.bytes(what, k_max_field_bytes)));
}

void put_optional(RecordWriter& w, const std::optional<std::string>& s) {
  w.boolean(s.has_value());
  if (s) w.bytes(*s);
}

}  // namespace

void RecordWriter::u64(uint64_t v) {
  while (v >= 0x80) {
    m_out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  m_out += static_cast<char>(v);
}

void RecordWriter::i64(int64_t v) {
  u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void RecordWriter::bytes(std::string_view s) {
  u64(s.size());
  m_out += s;
}

void RecordWriter::path(std::string_view s) {
  size_t shared = 0;
  size_t most = std::min(s.size(), m_last_path.size());
  while (shared < most && s[shared] == m_last_path[shared]) ++shared;
  u64(shared);
  bytes(s.substr(shared));
  m_last_path.assign(s);
}

Error RecordReader::error(std::string_view what, std::string_view why) const {
  return make_error(std::string(what) + " at byte " + std::to_string(m_pos) + ": " +
                    std::string(why));
}

Result<uint64_t> RecordReader::u64(std::string_view what) {
  uint64_t v = 0;
  for (int i = 0; i < k_max_varint_bytes; ++i) {
    if (m_pos >= m_in.size()) return error(what, "the record ends early");
    auto b = static_cast<uint8_t>(m_in[m_pos++]);
    if (i == k_max_varint_bytes - 1 && b > 1) return error(what, "a number past 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  return error(what, "a number past 64 bits");
}

Result<uint64_t> RecordReader::u64(std::string_view what, uint64_t max) {
  uint64_t v = TRY(u64(what));
  if (v > max) return error(what, std::to_string(v) + " is past " + std::to_string(max));
  return v;
}

Result<int64_t> RecordReader::i64(std::string_view what) {
  uint64_t z = TRY(u64(what));
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

Result<bool> RecordReader::boolean(std::string_view what) {
  return TRY(u64(what, 1)) == 1;
}

Result<std::string_view> RecordReader::raw(std::string_view what, size_t n) {
  if (n > m_in.size() - m_pos) return error(what, "the record ends early");
  std::string_view out = m_in.substr(m_pos, n);
  m_pos += n;
  return out;
}

Result<std::string> RecordReader::bytes(std::string_view what, uint64_t max) {
  uint64_t n = TRY(u64(what, max));
  return std::string(TRY(raw(what, static_cast<size_t>(n))));
}

Result<std::string> RecordReader::path(std::string_view what) {
  uint64_t shared = TRY(u64(what, m_last_path.size()));
  std::string rest = TRY(bytes(what, k_max_path_bytes_total));
  // Shared prefixes cost no input: what they expand to is bounded instead.
  if ((m_path_bytes += shared + rest.size()) > k_max_path_expansion)
    return error(what, "the record's paths take more than " + std::to_string(k_max_path_expansion) +
                           " bytes");
  m_last_path.resize(static_cast<size_t>(shared));
  m_last_path += rest;
  return m_last_path;
}

Result<size_t> RecordReader::count(std::string_view what, uint64_t max) {
  uint64_t n = TRY(u64(what, max));
  if (n > m_in.size() - m_pos) return error(what, std::to_string(n) + " items in fewer bytes");
  return static_cast<size_t>(n);
}

void put(RecordWriter& w, const tar::Entry& e) {
  w.path(e.path);
  w.u64(static_cast<uint64_t>(e.type));
  w.u64(e.mode);
  w.u64(e.uid);
  w.u64(e.gid);
  w.bytes(e.uname);
  w.bytes(e.gname);
  w.u64(e.size);
  w.i64(e.mtime);
  w.bytes(e.link_target);
  w.u64(e.dev_major);
  w.u64(e.dev_minor);
  w.u64(e.xattrs.size());
  for (const auto& [k, v] : e.xattrs) {
    w.bytes(k);
    w.bytes(v);
  }
}

Result<tar::Entry> get_entry(RecordReader& r, DecodeBudget& budget) {
  if (++budget.entries > k_max_entries)
    return r.error("entries", "more than " + std::to_string(k_max_entries));
  tar::Entry e;
  e.path = TRY(r.path("entry path"));
  e.type = TRY(get_enum(r, "entry type", tar::EntryType::fifo));
  e.mode = static_cast<uint32_t>(TRY(r.u64("entry mode", 07777)));
  e.uid = TRY(r.u64("entry uid"));
  e.gid = TRY(r.u64("entry gid"));
  e.uname = TRY(r.bytes("entry uname", k_max_field_bytes));
  e.gname = TRY(r.bytes("entry gname", k_max_field_bytes));
  e.size = TRY(r.u64("entry size"));
  e.mtime = TRY(r.i64("entry mtime"));
  e.link_target = TRY(r.bytes("entry link target", k_max_path_bytes_total));
  e.dev_major = static_cast<uint32_t>(TRY(r.u64("entry device", UINT32_MAX)));
  e.dev_minor = static_cast<uint32_t>(TRY(r.u64("entry device", UINT32_MAX)));
  size_t xattrs = TRY(r.count("entry xattrs", k_max_list_items));
  for (size_t i = 0; i < xattrs; ++i) {
    std::string k = TRY(r.bytes("xattr name", k_max_field_bytes));
    std::string v = TRY(r.bytes("xattr value", k_max_field_bytes));
    TRY(count_kept(r, budget, v.size()));
    e.xattrs[std::move(k)] = std::move(v);
  }
  // What the layer reader gives: normalised paths within the kernel's limits, over the image
  // no more path bytes than read_layers allows.
  if ((budget.path_bytes += e.path.size() + e.link_target.size()) > k_max_path_bytes_total)
    return r.error("entries", "their paths take more than " +
                                  std::to_string(k_max_path_bytes_total) + " bytes");
  std::string normal;
  if (!tar::normalize_path(e.path, normal) || normal != e.path)
    return r.error("entry path", "not a normalised path: " + tar::shown_path(e.path));
  if (e.type == tar::EntryType::hardlink &&
      (!tar::normalize_path(e.link_target, normal) || normal != e.link_target))
    return r.error("entry link target", "not a normalised path: " + tar::shown_path(e.link_target));
  if (std::string why = tar::check_limits(e); !why.empty()) return r.error("entry", why);
  return e;
}

void put(RecordWriter& w, const fs::CapturedFile& f) {
  w.path(f.path);
  w.bytes(f.bytes);
  w.u64(f.mode);
}

Result<fs::CapturedFile> get_captured_file(RecordReader& r, DecodeBudget& budget) {
  fs::CapturedFile f;
  f.path = TRY(r.path("file path"));
  f.bytes = TRY(r.bytes("file content", k_max_kept_bytes));
  TRY(count_kept(r, budget, f.bytes.size()));
  f.mode = static_cast<uint32_t>(TRY(r.u64("file mode", 07777)));
  return f;
}

void put(RecordWriter& w, const report::DpkgFileList& l) {
  w.path(l.path);
  w.bytes(l.key);
  w.u64(static_cast<uint64_t>(l.kind));
  w.u64(l.files.size());
  for (const auto& f : l.files) w.path(f);
}

Result<report::DpkgFileList> get_dpkg_file_list(RecordReader& r, DecodeBudget& budget) {
  report::DpkgFileList l;
  l.path = TRY(r.path("dpkg list path"));
  l.key = TRY(r.bytes("dpkg list key", k_max_field_bytes));
  l.kind = TRY(get_enum(r, "dpkg list kind", catalog::DpkgFileListKind::md5sums));
  size_t n = TRY(r.count("dpkg list files", k_max_entries));
  l.files.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    l.files.push_back(TRY(r.path("dpkg list file")));
    TRY(count_kept(r, budget, l.files.back().size()));
  }
  return l;
}

void put_strings(RecordWriter& w, const std::vector<std::string>& v) {
  w.u64(v.size());
  for (const auto& s : v) w.bytes(s);
}

Result<std::vector<std::string>> get_strings(RecordReader& r, std::string_view what,
                                             DecodeBudget& budget) {
  size_t n = TRY(r.count(what, k_max_list_items));
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(TRY(r.bytes(what, k_max_field_bytes)));
    TRY(count_kept(r, budget, out.back().size()));
  }
  return out;
}

void put(RecordWriter& w, const catalog::Package& p) {
  w.u64(static_cast<uint64_t>(p.type));
  w.bytes(p.name);
  w.bytes(p.version);
  w.bytes(p.arch);
  w.bytes(p.purl);
  w.bytes(p.source_package);
  w.bytes(p.license);
  w.u64(p.installed_size);
  w.bytes(p.location);
  w.u64(p.files.size());
  for (const auto& f : p.files) w.path(f);
  w.u64(p.depends.size());
  for (const auto& alternatives : p.depends) put_strings(w, alternatives);
  put_strings(w, p.provides);
}

Result<catalog::Package> get_package(RecordReader& r, DecodeBudget& budget) {
  catalog::Package p;
  p.type = TRY(get_enum(r, "package type", catalog::PackageType::cargo));
  p.name = TRY(r.bytes("package name", k_max_field_bytes));
  p.version = TRY(r.bytes("package version", k_max_field_bytes));
  p.arch = TRY(r.bytes("package arch", k_max_field_bytes));
  p.purl = TRY(r.bytes("package purl", k_max_field_bytes));
  p.source_package = TRY(r.bytes("package source", k_max_field_bytes));
  p.license = TRY(r.bytes("package license", k_max_field_bytes));
  p.installed_size = TRY(r.u64("package size"));
  p.location = TRY(r.bytes("package location", k_max_field_bytes));
  size_t files = TRY(r.count("package files", k_max_entries));
  p.files.reserve(files);
  for (size_t i = 0; i < files; ++i) {
    p.files.push_back(TRY(r.path("package file")));
    TRY(count_kept(r, budget, p.files.back().size()));
  }
  size_t depends = TRY(r.count("package depends", k_max_list_items));
  p.depends.reserve(depends);
  for (size_t i = 0; i < depends; ++i)
    p.depends.push_back(TRY(get_strings(r, "package depends", budget)));
  p.provides = TRY(get_strings(r, "package provides", budget));
  return p;
}

void put(RecordWriter& w, const elf::DynamicInfo& d) {
  w.boolean(d.is_64);
  w.boolean(d.big_endian);
  w.u64(d.type);
  w.u64(d.machine);
  w.bytes(d.interpreter);
  w.boolean(d.has_dynamic);
  put_strings(w, d.needed);
  put_optional(w, d.rpath);
  put_optional(w, d.runpath);
  put_optional(w, d.soname);
  w.u64(d.flags_1);
  put_strings(w, d.version_definitions);
  w.u64(d.version_needs.size());
  for (const auto& need : d.version_needs) {
    w.bytes(need.file);
    put_strings(w, need.versions);
  }
  w.boolean(d.names_thread_cancellation);
  w.boolean(d.names_user_lookup);
  w.boolean(d.names_iconv);
}

Result<elf::DynamicInfo> get_dynamic_info(RecordReader& r, DecodeBudget& budget) {
  elf::DynamicInfo d;
  d.is_64 = TRY(r.boolean("elf class"));
  d.big_endian = TRY(r.boolean("elf byte order"));
  d.type = static_cast<uint16_t>(TRY(r.u64("elf type", UINT16_MAX)));
  d.machine = static_cast<uint16_t>(TRY(r.u64("elf machine", UINT16_MAX)));
  d.interpreter = TRY(r.bytes("elf interpreter", k_max_field_bytes));
  d.has_dynamic = TRY(r.boolean("elf dynamic"));
  d.needed = TRY(get_strings(r, "elf needed", budget));
  d.rpath = TRY(get_optional(r, "elf rpath"));
  d.runpath = TRY(get_optional(r, "elf runpath"));
  d.soname = TRY(get_optional(r, "elf soname"));
  d.flags_1 = TRY(r.u64("elf flags"));
  d.version_definitions = TRY(get_strings(r, "elf version definitions", budget));
  size_t needs = TRY(r.count("elf version needs", k_max_list_items));
  d.version_needs.reserve(needs);
  for (size_t i = 0; i < needs; ++i) {
    elf::VersionNeed need;
    need.file = TRY(r.bytes("elf version need", k_max_field_bytes));
    need.versions = TRY(get_strings(r, "elf version need", budget));
    d.version_needs.push_back(std::move(need));
  }
  d.names_thread_cancellation = TRY(r.boolean("elf names"));
  d.names_user_lookup = TRY(r.boolean("elf names"));
  d.names_iconv = TRY(r.boolean("elf names"));
  return d;
}

void put(RecordWriter& w, const lint::ElfFacts& f) {
  put(w, f.info);
  w.boolean(f.go);
  w.boolean(f.go_tls);
  w.boolean(f.go_user);
}

Result<lint::ElfFacts> get_elf_facts(RecordReader& r, DecodeBudget& budget) {
  lint::ElfFacts f;
  f.info = TRY(get_dynamic_info(r, budget));
  f.go = TRY(r.boolean("go program"));
  f.go_tls = TRY(r.boolean("go program"));
  f.go_user = TRY(r.boolean("go program"));
  return f;
}

void put(RecordWriter& w, const std::map<std::string, std::string>& m) {
  put_map(w, m);
}
void put(RecordWriter& w, const std::unordered_map<std::string, std::string>& m) {
  put_map(w, m);
}

template <class Map>
Result<Map> get_string_map(RecordReader& r, std::string_view what, DecodeBudget& budget) {
  size_t n = TRY(r.count(what, k_max_entries));
  Map out;
  std::string last;
  for (size_t i = 0; i < n; ++i) {
    std::string key = TRY(r.path(what));
    if (i > 0 && key <= last) return r.error(what, "keys out of order");
    std::string value = TRY(r.bytes(what, k_max_kept_bytes));
    TRY(count_kept(r, budget, value.size()));
    last = key;
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

template Result<std::map<std::string, std::string>> get_string_map(RecordReader&, std::string_view,
                                                                   DecodeBudget&);
template Result<std::unordered_map<std::string, std::string>> get_string_map(RecordReader&,
                                                                             std::string_view,
                                                                             DecodeBudget&);

void put_sha256_hex(RecordWriter& w, std::string_view hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    raw += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  }
  w.raw(raw);
}

Result<std::string> get_sha256_hex(RecordReader& r) {
  std::string_view raw = TRY(r.raw("sha256", 32));
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (char c : raw) {
    auto b = static_cast<uint8_t>(c);
    out += k_hex[b >> 4];
    out += k_hex[b & 0xf];
  }
  return out;
}

}  // namespace pith::fleet
