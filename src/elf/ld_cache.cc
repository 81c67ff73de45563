// ld.so.cache parsing: fixed headers and entry tables with offsets into a string table, every
// offset checked against the file, in the byte order the file declares (or the plausible one).
#include "elf/ld_cache.h"

#include <optional>

namespace pith::elf {

namespace {

constexpr std::string_view k_old_magic = "ld.so-1.7.0";
constexpr std::string_view k_new_magic = "glibc-ld.so.cache1.1";
constexpr size_t k_old_header = 16;  // magic[11], padding, nlibs
constexpr size_t k_old_entry = 12;   // flags, key, value
constexpr size_t k_new_header = 48;
constexpr size_t k_new_entry = 24;  // flags, key, value, osversion, hwcap
constexpr uint32_t k_extension_magic = 0xEAA42174;
constexpr uint32_t k_extension_glibc_hwcaps = 1;
constexpr uint64_t k_hwcap_extension = uint64_t{1} << 62;
constexpr uint8_t k_endian_little = 2;
constexpr uint8_t k_endian_big = 3;

class Bytes {
 public:
  Bytes(std::string_view b, bool big) : m_b(b), m_big(big) {}
  bool has(uint64_t at, uint64_t len) const { return at <= m_b.size() && len <= m_b.size() - at; }
  uint64_t uint(uint64_t at, size_t width) const {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i)
      v = (v << 8) | static_cast<uint8_t>(m_b[at + (m_big ? i : width - 1 - i)]);
    return v;
  }
  uint32_t u32(uint64_t at) const { return static_cast<uint32_t>(uint(at, 4)); }
  // A NUL-terminated string at `at`, or nothing when it runs past the end.
  std::optional<std::string> string(uint64_t at) const {
    if (at >= m_b.size()) return std::nullopt;
    size_t nul = m_b.find('\0', at);
    if (nul == std::string_view::npos) return std::nullopt;
    return std::string(m_b.substr(at, nul - at));
  }
  size_t size() const { return m_b.size(); }

 private:
  std::string_view m_b;
  bool m_big;
};

// Old-format files carry no byte-order mark: the order whose entry count fits the file wins.
bool guess_big_endian(std::string_view b, size_t count_at, size_t header, size_t entry) {
  Bytes little(b, false);
  if (!little.has(count_at, 4)) return false;
  uint64_t n = little.u32(count_at);
  return header + n * entry > b.size();
}

Result<std::string> string_at(const Bytes& b, uint64_t base, uint32_t offset) {
  auto s = b.string(base + offset);
  if (!s) return make_error("string offset " + std::to_string(offset) + " is out of bounds");
  return *s;
}

// glibc-hwcaps subdirectory names, indexed by the low 32 bits of an entry's hwcap word.
Result<std::vector<std::string>> hwcaps_names(const Bytes& b, uint64_t base, uint32_t ext_at) {
  std::vector<std::string> names;
  if (ext_at == 0) return names;
  if (!b.has(ext_at, 8) || b.u32(ext_at) != k_extension_magic)
    return make_error("bad extension header");
  uint32_t count = b.u32(ext_at + 4);
  if (!b.has(ext_at + 8, uint64_t{count} * 16)) return make_error("extension sections truncated");
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t s = ext_at + 8 + uint64_t{i} * 16;
    if (b.u32(s) != k_extension_glibc_hwcaps) continue;
    uint32_t offset = b.u32(s + 8);  // from the start of the file
    uint32_t size = b.u32(s + 12);
    if (!b.has(offset, size) || size % 4 != 0) return make_error("bad glibc-hwcaps section");
    for (uint32_t at = 0; at < size; at += 4)
      names.push_back(TRY(string_at(b, base, b.u32(offset + at)).wrap("glibc-hwcaps name")));
  }
  return names;
}

// The new format at `base` (0, or after the old table). Its string offsets count from `base`.
Result<LdCache> parse_new(std::string_view bytes, uint64_t base) {
  Bytes probe(bytes, false);
  if (!probe.has(base, k_new_header)) return make_error("truncated header");
  auto endian = static_cast<uint8_t>(bytes[base + 28]);
  bool big = endian == k_endian_big;
  if (endian != k_endian_big && endian != k_endian_little)
    big = guess_big_endian(bytes.substr(base), 20, k_new_header, k_new_entry);
  Bytes b(bytes, big);
  uint32_t nlibs = b.u32(base + 20);
  if (!b.has(base + k_new_header, uint64_t{nlibs} * k_new_entry))
    return make_error(std::to_string(nlibs) + " entries do not fit in the file");
  auto names = TRY(hwcaps_names(b, base, b.u32(base + 32)));
  LdCache cache;
  cache.entries.reserve(nlibs);
  for (uint32_t i = 0; i < nlibs; ++i) {
    uint64_t e = base + k_new_header + uint64_t{i} * k_new_entry;
    CacheEntry entry;
    entry.flags = static_cast<int32_t>(b.u32(e));
    entry.name = TRY(string_at(b, base, b.u32(e + 4)).wrap("entry " + std::to_string(i)));
    entry.path = TRY(string_at(b, base, b.u32(e + 8)).wrap("entry " + std::to_string(i)));
    entry.hwcap = b.uint(e + 16, 8);
    if (entry.hwcap & k_hwcap_extension) {
      auto index = static_cast<uint32_t>(entry.hwcap);
      if (index >= names.size())
        return make_error("entry " + std::to_string(i) + ": glibc-hwcaps index out of range");
      entry.hwcaps = names[index];
    } else if (entry.hwcap != 0) {
      entry.hwcaps = "legacy";
    }
    cache.entries.push_back(std::move(entry));
  }
  return cache;
}

Result<LdCache> parse_old(std::string_view bytes) {
  bool big = guess_big_endian(bytes, 12, k_old_header, k_old_entry);
  Bytes b(bytes, big);
  if (!b.has(0, k_old_header)) return make_error("truncated header");
  uint32_t nlibs = b.u32(12);
  uint64_t table_end = k_old_header + uint64_t{nlibs} * k_old_entry;
  if (!b.has(k_old_header, uint64_t{nlibs} * k_old_entry))
    return make_error(std::to_string(nlibs) + " entries do not fit in the file");
  // ld.so prefers the new format when ldconfig appended it (aligned to 8 bytes).
  uint64_t new_at = (table_end + 7) & ~uint64_t{7};
  if (b.has(new_at, k_new_magic.size()) && bytes.substr(new_at, k_new_magic.size()) == k_new_magic)
    return parse_new(bytes, new_at).wrap("new-format part");
  LdCache cache;
  cache.entries.reserve(nlibs);
  for (uint32_t i = 0; i < nlibs; ++i) {
    uint64_t e = k_old_header + uint64_t{i} * k_old_entry;
    CacheEntry entry;
    entry.flags = static_cast<int32_t>(b.u32(e));
    entry.name = TRY(string_at(b, table_end, b.u32(e + 4)).wrap("entry " + std::to_string(i)));
    entry.path = TRY(string_at(b, table_end, b.u32(e + 8)).wrap("entry " + std::to_string(i)));
    cache.entries.push_back(std::move(entry));
  }
  return cache;
}

}  // namespace

std::vector<const CacheEntry*> LdCache::lookup(std::string_view name, int32_t flags) const {
  std::vector<const CacheEntry*> base, variants;
  for (const auto& e : entries) {
    if (e.name != name || (e.flags != flags && e.flags != k_cache_flag_elf)) continue;
    (e.hwcaps.empty() ? base : variants).push_back(&e);
  }
  base.insert(base.end(), variants.begin(), variants.end());
  return base;
}

Result<LdCache> parse_ld_cache(std::string_view bytes) {
  if (bytes.starts_with(k_new_magic)) return parse_new(bytes, 0).wrap("ld.so.cache");
  if (bytes.starts_with(k_old_magic)) return parse_old(bytes).wrap("ld.so.cache");
  return make_error("ld.so.cache: unknown format");
}

}  // namespace pith::elf
