// Which of a root's dpkg file lists (/var/lib/dpkg/info/<package>.list) name a file called
// NAME, for a set of names, without reading the lists: an index of each list's last path
// components, kept between builds in pith's cache. Reading a desktop's ~900 lists (9 MB, four
// system calls each) was about half of a small `pith build`; the index answers in one read.
//
// The index only narrows: the lists it names are still read and matched path by path, so a
// hash collision costs a read, never a wrong owner. It is keyed by what dpkg changes whenever
// it installs, removes or upgrades a package (it writes each .list through a rename into the
// info directory, and rewrites the status file): the info directory's and the status file's
// device, inode, times and size. A list edited in place by hand is not seen until dpkg next
// changes the database (as apt's own package cache).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/root_dir.h"

namespace pith::build::detail {

class DpkgListIndex {
 public:
  // What the index is valid for: the root's dpkg database as it is now; nullopt when the root
  // has no info directory or status file (nothing to index).
  static std::optional<std::string> key_of(const RootDir& root);

  // The index saved at `file` when it was made for `key`; nullopt when there is none, it is
  // for another key, or it is not an index (a damaged file is ignored, then replaced).
  static std::optional<DpkgListIndex> load(const std::string& file, const std::string& key);
  static std::optional<DpkgListIndex> parse(std::string_view bytes, const std::string& key);

  // Records the list `name` (without ".list") and the last component of each of its lines.
  void add(const std::string& name, std::string_view list);
  // Writes the index for `key`, atomically (concurrent builds each write a whole file).
  Result<void> save(const std::string& file, const std::string& key) const;
  std::string serialize(const std::string& key) const;

  // On a loaded index: whether the list was recorded, and the recorded lists that name a path
  // whose last component is in `names`.
  bool has_list(const std::string& name) const;
  std::set<std::string> lists_naming(const std::set<std::string, std::less<>>& names) const;

 private:
  struct Entry {
    uint64_t hash;  // of a last component
    uint32_t list;  // index into m_lists
    auto operator<=>(const Entry&) const = default;
  };
  static constexpr size_t k_entry_bytes = 12;  // as saved: the hash, then the list (LE)
  static std::optional<DpkgListIndex> parse_kept(std::shared_ptr<const void> owner,
                                                 std::string_view bytes, const std::string& key);
  Entry entry(size_t i) const;
  size_t entry_count() const;

  // Loaded: the lists sorted, each once, and the saved entries (sorted by hash) read where they
  // lie, in the mapped file (a build asks for a few hashes of ~160,000: decoding them all into
  // new memory cost more than the answer). Being built (add): m_added, as added; serialize
  // sorts.
  std::vector<std::string> m_lists;
  std::shared_ptr<const void> m_owner;  // what m_saved points into
  std::string_view m_saved;
  std::vector<Entry> m_added;
};

// The cache file of `root`'s index below `cache_dir` (one per root directory).
std::string dpkg_list_index_file(const std::string& cache_dir, const RootDir& root);

}  // namespace pith::build::detail
