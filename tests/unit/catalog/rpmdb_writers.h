// Test helpers: rpm header blobs made by librpm, and tiny BerkeleyDB hash / NDB database
// writers (no NDB fixture exists in the corpus, and the BerkeleyDB ones are all little endian).
#pragma once

#include <rpm/header.h>
#include <rpm/rpmtag.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace pith::test {

struct RpmSpec {
  std::string name, version, release, arch;
  std::optional<uint32_t> epoch;
  std::vector<std::string> dirs, basenames;
  std::vector<uint32_t> dir_indexes;
};

// An installed-package header as rpm stores it (with the immutable region).
inline std::string rpm_header_blob(const RpmSpec& s) {
  Header h = headerNew();
  headerPutString(h, RPMTAG_NAME, s.name.c_str());
  headerPutString(h, RPMTAG_VERSION, s.version.c_str());
  headerPutString(h, RPMTAG_RELEASE, s.release.c_str());
  if (!s.arch.empty()) headerPutString(h, RPMTAG_ARCH, s.arch.c_str());
  if (s.epoch) headerPutUint32(h, RPMTAG_EPOCH, &*s.epoch, 1);
  auto put_strings = [&](rpmTagVal tag, const std::vector<std::string>& v) {
    std::vector<const char*> p;
    for (const auto& x : v) p.push_back(x.c_str());
    if (!p.empty()) headerPutStringArray(h, tag, p.data(), p.size());
  };
  put_strings(RPMTAG_DIRNAMES, s.dirs);
  put_strings(RPMTAG_BASENAMES, s.basenames);
  if (!s.dir_indexes.empty()) {
    headerPutUint32(h, RPMTAG_DIRINDEXES, s.dir_indexes.data(), s.dir_indexes.size());
  }
  h = headerReload(h, RPMTAG_HEADERIMMUTABLE);
  unsigned size = 0;
  void* blob = headerExport(h, &size);
  std::string out(static_cast<const char*>(blob), size);
  std::free(blob);
  headerFree(h);
  return out;
}

inline void put16(std::string& b, size_t off, uint16_t v, bool big) {
  b[off + (big ? 1 : 0)] = char(v & 0xff);
  b[off + (big ? 0 : 1)] = char(v >> 8);
}
inline void put32(std::string& b, size_t off, uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) b[off + (big ? 3 - i : i)] = char((v >> (8 * i)) & 0xff);
}

// A BerkeleyDB hash file in rpm's shape: page 1 is the one hash page, holding rpm's key-0
// counter, the `on_page` values stored on the page and the `overflow` values in overflow chains
// on the pages after it. Keys are 1, 2, ... as rpm numbers its header instances.
inline std::string bdb_hash_file(uint32_t page_size, bool big,
                                 const std::vector<std::string>& on_page,
                                 const std::vector<std::string>& overflow) {
  const size_t header = 26;
  std::vector<std::string> pages(2, std::string(page_size, '\0'));
  std::vector<std::string> items;  // key, value, key, value, ...
  auto key = [&](uint32_t k) {
    std::string item(5, '\0');
    item[0] = 1;
    put32(item, 1, k, big);
    return item;
  };
  items.push_back(key(0));
  items.push_back(std::string("\x01\x05\0\0\0", 5));
  uint32_t next_key = 1;
  for (const auto& v : on_page) {
    items.push_back(key(next_key++));
    items.push_back("\x01" + v);
  }
  for (const auto& v : overflow) {
    uint32_t first = uint32_t(pages.size());
    size_t room = page_size - header;
    for (size_t pos = 0; pos < v.size(); pos += room) {
      std::string page(page_size, '\0');
      size_t n = std::min(room, v.size() - pos);
      uint32_t pgno = uint32_t(pages.size());
      put32(page, 8, pgno, big);
      put32(page, 16, pos + n < v.size() ? pgno + 1 : 0, big);
      put16(page, 22, uint16_t(n), big);
      page[25] = 7;
      page.replace(header, n, v.substr(pos, n));
      pages.push_back(page);
    }
    std::string off(12, '\0');
    off[0] = 3;
    put32(off, 4, first, big);
    put32(off, 8, uint32_t(v.size()), big);
    items.push_back(key(next_key++));
    items.push_back(off);
  }
  // Items fill the hash page from its end, the index from its start.
  // References into `pages` only now: the overflow pages above grew the vector.
  std::string& meta = pages[0];
  put32(meta, 12, 0x061561, big);
  put32(meta, 16, 9, big);  // hash version 9 (BDB >= 4.6)
  put32(meta, 20, page_size, big);
  meta[25] = 8;
  std::string& hash = pages[1];
  put32(hash, 8, 1, big);
  put16(hash, 20, uint16_t(items.size()), big);
  hash[25] = 13;
  size_t top = page_size;
  for (size_t i = 0; i < items.size(); ++i) {
    top -= items[i].size();
    hash.replace(top, items[i].size(), items[i]);
    put16(hash, header + 2 * i, uint16_t(top), big);
  }
  put16(hash, 22, uint16_t(top), big);
  put32(meta, 32, uint32_t(pages.size() - 1), big);
  std::string out;
  for (const auto& p : pages) out += p;
  return out;
}

// An NDB Packages.db with one slot page; blobs[i] gets package index i + 1 and is stored in
// reverse order, so that the file order (which rpm lists in) differs from the slot order.
inline std::string ndb_file(const std::vector<std::string>& blobs) {
  std::string out(4096, '\0');
  out.replace(0, 4, "RpmP");
  put32(out, 12, 1, false);  // slot pages
  put32(out, 16, uint32_t(blobs.size() + 1), false);
  for (size_t off = 32; off < 4096; off += 16) out.replace(off, 4, "Slot");
  for (size_t i = blobs.size(); i-- > 0;) {
    const std::string& b = blobs[i];
    uint32_t block_offset = uint32_t(out.size() / 16);
    uint32_t blocks = uint32_t((16 + b.size() + 12 + 15) / 16);
    std::string blob(size_t(blocks) * 16, '\0');
    blob.replace(0, 4, "BlbS");
    put32(blob, 4, uint32_t(i + 1), false);
    put32(blob, 12, uint32_t(b.size()), false);
    blob.replace(16, b.size(), b);
    size_t tail = blob.size() - 12;
    put32(blob, tail + 4, uint32_t(b.size()), false);  // adler32 left 0: rpm does not check it
    blob.replace(tail + 8, 4, "BlbE");
    out += blob;
    size_t slot = 32 + 16 * i;
    put32(out, slot + 4, uint32_t(i + 1), false);
    put32(out, slot + 8, block_offset, false);
    put32(out, slot + 12, blocks, false);
  }
  return out;
}

}  // namespace pith::test
