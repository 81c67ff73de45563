#include "build/dpkg_list_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>

#include "util/file.h"
#include "util/lines.h"
#include "util/path_text.h"
#include "util/sha256.h"

namespace pith::build::detail {
namespace {

constexpr std::string_view k_magic = "pith dpkg list index 1\n";
// Far more than any real database (a desktop: ~900 lists, ~160,000 lines): more is garbage.
constexpr uint64_t k_file_limit = 256 << 20;

// FNV-1a: stable across runs and machines, which std::hash is not promised to be.
uint64_t name_hash(std::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The last component of a list's line, as PathMatcher compares it ("/usr/lib/" -> "lib").
std::string_view last_component(std::string_view line) {
  while (line.ends_with('/')) line.remove_suffix(1);
  return path_base_name(line);
}

std::string stat_text(const struct stat& st, bool with_size) {
  auto ns = [](const struct timespec& t) {
    return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec);
  };
  std::string text = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                     ns(st.st_mtim) + ":" + ns(st.st_ctim);
  if (with_size) text += ":" + std::to_string(st.st_size);
  return text;
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Little-endian integers read off the front of `bytes`; false when it is too short.
template <typename T>
bool take(std::string_view& bytes, T& v) {
  if (bytes.size() < sizeof(T)) return false;
  v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= T(static_cast<unsigned char>(bytes[i])) << (8 * i);
  bytes.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

std::optional<std::string> DpkgListIndex::key_of(const RootDir& root) {
  auto info = root.lstat("/var/lib/dpkg/info");
  auto status = root.lstat("/var/lib/dpkg/status");
  if (!info || !status || !S_ISDIR(info->st_mode) || !S_ISREG(status->st_mode)) return std::nullopt;
  return "root=" + root.dir() + " info=" + stat_text(*info, false) +
         " status=" + stat_text(*status, true);
}

std::optional<DpkgListIndex> DpkgListIndex::load(const std::string& file, const std::string& key) {
  // Mapped, not read: the cache file is replaced by a rename, never rewritten in place.
  auto map = MappedFile::open(file);
  if (!map || map->bytes().size() > k_file_limit) return std::nullopt;
  auto owner = std::make_shared<const MappedFile>(std::move(*map));
  std::string_view bytes = owner->bytes();
  return parse_kept(std::move(owner), bytes, key);
}

std::optional<DpkgListIndex> DpkgListIndex::parse(std::string_view bytes, const std::string& key) {
  auto copy = std::make_shared<const std::string>(bytes);
  std::string_view kept = *copy;
  return parse_kept(std::move(copy), kept, key);
}

std::optional<DpkgListIndex> DpkgListIndex::parse_kept(std::shared_ptr<const void> owner,
                                                       std::string_view bytes,
                                                       const std::string& key) {
  if (!bytes.starts_with(k_magic)) return std::nullopt;
  bytes.remove_prefix(k_magic.size());
  if (!bytes.starts_with(key) || bytes.substr(key.size(), 1) != "\n") return std::nullopt;
  bytes.remove_prefix(key.size() + 1);

  DpkgListIndex index;
  uint32_t lists = 0;
  if (!take(bytes, lists) || lists > bytes.size() / 4) return std::nullopt;
  index.m_lists.reserve(lists);
  for (uint32_t i = 0; i < lists; ++i) {
    uint32_t size = 0;
    if (!take(bytes, size) || size > bytes.size()) return std::nullopt;
    index.m_lists.emplace_back(bytes.substr(0, size));
    bytes.remove_prefix(size);
    // Sorted, each once: has_list searches them.
    if (i > 0 && !(index.m_lists[i - 1] < index.m_lists[i])) return std::nullopt;
  }
  uint64_t entries = 0;
  if (!take(bytes, entries) || entries != bytes.size() / k_entry_bytes ||
      bytes.size() % k_entry_bytes != 0)
    return std::nullopt;
  index.m_owner = std::move(owner);
  index.m_saved = bytes;
  // lists_naming searches them by hash: each pair once, in order, naming a list there is.
  Entry previous{};
  for (size_t i = 0; i < entries; ++i) {
    Entry e = index.entry(i);
    if (e.list >= lists || (i > 0 && !(previous < e))) return std::nullopt;
    previous = e;
  }
  return index;
}

DpkgListIndex::Entry DpkgListIndex::entry(size_t i) const {
  if (!m_owner) return m_added[i];
  std::string_view at = m_saved.substr(i * k_entry_bytes, k_entry_bytes);
  Entry e{};
  if constexpr (std::endian::native == std::endian::little) {
    // Checked ~160,000 times per build: the bytes as they lie.
    std::memcpy(&e.hash, at.data(), sizeof e.hash);
    std::memcpy(&e.list, at.data() + sizeof e.hash, sizeof e.list);
  } else {
    take(at, e.hash);
    take(at, e.list);
  }
  return e;
}

size_t DpkgListIndex::entry_count() const {
  return m_owner ? m_saved.size() / k_entry_bytes : m_added.size();
}

void DpkgListIndex::add(const std::string& name, std::string_view list) {
  const uint32_t id = static_cast<uint32_t>(m_lists.size());
  m_lists.push_back(name);
  std::vector<uint64_t> hashes;
  for (std::string_view line : split_lines(list)) hashes.push_back(name_hash(last_component(line)));
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  for (uint64_t h : hashes) m_added.push_back({h, id});
}

std::string DpkgListIndex::serialize(const std::string& key) const {
  // The lists sorted by name, each once (has_list searches them; a list added twice is one),
  // the entries renumbered to match and sorted by hash (lists_naming searches them).
  std::vector<std::string> names = m_lists;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<Entry> entries;
  entries.reserve(entry_count());
  for (size_t i = 0; i < entry_count(); ++i) entries.push_back(entry(i));
  for (Entry& e : entries) {
    auto at = std::lower_bound(names.begin(), names.end(), m_lists[e.list]);
    e.list = static_cast<uint32_t>(at - names.begin());
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());

  std::string out(k_magic);
  out += key;
  out += '\n';
  put_u32(out, static_cast<uint32_t>(names.size()));
  for (const std::string& name : names) {
    put_u32(out, static_cast<uint32_t>(name.size()));
    out += name;
  }
  put_u64(out, entries.size());
  for (const Entry& e : entries) {
    put_u64(out, e.hash);
    put_u32(out, e.list);
  }
  return out;
}

Result<void> DpkgListIndex::save(const std::string& file, const std::string& key) const {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  if (ec) return make_error(file + ": " + ec.message());
  return write_file_atomic(file, serialize(key));
}

bool DpkgListIndex::has_list(const std::string& name) const {
  return std::binary_search(m_lists.begin(), m_lists.end(), name);
}

std::set<std::string> DpkgListIndex::lists_naming(
    const std::set<std::string, std::less<>>& names) const {
  std::set<std::string> lists;
  for (const std::string& name : names) {
    const uint64_t h = name_hash(name);
    size_t lo = 0, hi = entry_count();  // the first entry with a hash >= h
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (entry(mid).hash < h)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (size_t i = lo; i < entry_count() && entry(i).hash == h; ++i)
      lists.insert(m_lists[entry(i).list]);
  }
  return lists;
}

std::string dpkg_list_index_file(const std::string& cache_dir, const RootDir& root) {
  return cache_dir + "/dpkg-list-index/" + Sha256::hex_of(root.dir()).substr(0, 32);
}

}  // namespace pith::build::detail
