// rpm's BerkeleyDB backend (Packages): a small reader of BDB hash pages, either byte order.
// Layouts follow libdb's dbinc/db_page.h; like go-rpmdb, every hash page of the file is
// visited in page order and each value (the header blob) is collected, whether it sits on
// the page or in a chain of overflow pages.
#include <algorithm>
#include <string>
#include <vector>

#include "catalog/rpm_bytes.h"
#include "catalog/rpmdb.h"

namespace pith::catalog {
namespace {

using rpm_bytes::load16;
using rpm_bytes::load32;
using rpm_bytes::load_struct;
using rpm_bytes::Order;

constexpr uint32_t k_hash_magic = 0x061561;
constexpr uint8_t k_page_hash_meta = 8;
constexpr uint8_t k_page_hash_unsorted = 2;  // hash pages before BDB 4.6 (RHEL 5)
constexpr uint8_t k_page_hash = 13;
constexpr uint8_t k_page_overflow = 7;
constexpr uint8_t k_item_keydata = 1;  // H_KEYDATA: bytes follow on the page
constexpr uint8_t k_item_offpage = 3;  // H_OFFPAGE: bytes in an overflow chain
constexpr uint8_t k_metaflag_checksum = 0x01;

// The generic metadata page (DBMETA), first 36 bytes.
struct MetaPage {
  uint8_t lsn[8];
  uint8_t pgno[4];
  uint8_t magic[4];
  uint8_t version[4];
  uint8_t pagesize[4];
  uint8_t encrypt_alg;
  uint8_t type;
  uint8_t metaflags;
  uint8_t unused1;
  uint8_t free[4];
  uint8_t last_pgno[4];
};
static_assert(sizeof(MetaPage) == 36);

// The header every non-metadata page starts with (PAGE).
struct PageHeader {
  uint8_t lsn[8];
  uint8_t pgno[4];
  uint8_t prev_pgno[4];
  uint8_t next_pgno[4];
  uint8_t entries[2];
  uint8_t hf_offset[2];  // free-space start; on overflow pages, the bytes stored there
  uint8_t level;
  uint8_t type;
};
static_assert(sizeof(PageHeader) == 26);

// HOFFPAGE: a value stored in overflow pages.
struct OffPageItem {
  uint8_t type;
  uint8_t unused[3];
  uint8_t pgno[4];
  uint8_t total_length[4];
};
static_assert(sizeof(OffPageItem) == 12);

struct Db {
  std::string_view bytes;
  Order order = Order::little;
  uint32_t page_size = 0;
  uint64_t pages = 0;  // pages present in the file, at most last_pgno + 1

  std::string_view page(uint64_t pgno) const {
    return bytes.substr(size_t(pgno * page_size), page_size);  // pgno < pages: in range
  }
};

// Concatenates an overflow chain; an error names what is wrong with it.
Result<std::string> read_overflow(const Db& db, const OffPageItem& item) {
  uint32_t pgno = load32(item.pgno, db.order);
  uint32_t total = load32(item.total_length, db.order);
  std::string value;
  // Each page is visited at most once: a longer chain is a loop.
  for (uint64_t hops = 0; pgno != 0; ++hops) {
    if (pgno >= db.pages || hops >= db.pages) {
      return make_error("overflow chain leaves the file at page " + std::to_string(pgno));
    }
    std::string_view page = db.page(pgno);
    auto header = load_struct<PageHeader>(page, 0);
    if (!header || header->type != k_page_overflow) {
      return make_error("page " + std::to_string(pgno) + " is not an overflow page");
    }
    uint64_t length = load16(header->hf_offset, db.order);
    if (length > page.size() - sizeof(PageHeader) || value.size() + length > total) {
      return make_error("overflow page " + std::to_string(pgno) + " holds " +
                        std::to_string(length) + " bytes");
    }
    value.append(page.substr(sizeof(PageHeader), length));
    pgno = load32(header->next_pgno, db.order);
  }
  if (value.size() != total) {
    return make_error("overflow chain holds " + std::to_string(value.size()) + " of " +
                      std::to_string(total) + " bytes");
  }
  return value;
}

// Visits the values of one hash page. Items are stored back to back from the end of the page,
// so an item ends where the next higher item offset (or the page) begins.
void read_hash_page(const Db& db, uint64_t pgno, const RpmBlobVisitor& visit, const RpmWarn& warn) {
  std::string_view page = db.page(pgno);
  auto header = load_struct<PageHeader>(page, 0);
  if (!header) return;  // pages are at least 512 bytes
  uint32_t entries = load16(header->entries, db.order);
  if (entries % 2 != 0 || sizeof(PageHeader) + uint64_t(entries) * 2 > page.size()) {
    warn("hash page " + std::to_string(pgno) + " has " + std::to_string(entries) + " entries");
    return;
  }
  std::vector<uint32_t> offsets(entries);
  for (uint32_t i = 0; i < entries; ++i) {
    uint8_t raw[2];
    std::memcpy(raw, page.data() + sizeof(PageHeader) + i * 2, 2);
    offsets[i] = load16(raw, db.order);
  }
  std::vector<uint32_t> sorted = offsets;
  std::sort(sorted.begin(), sorted.end());
  auto item = [&](uint32_t i) -> std::optional<std::string_view> {
    uint32_t start = offsets[i];
    if (start < sizeof(PageHeader) + entries * 2 || start >= page.size()) return std::nullopt;
    auto next = std::upper_bound(sorted.begin(), sorted.end(), start);
    uint32_t end = next == sorted.end() ? uint32_t(page.size()) : *next;
    return page.substr(start, end - start);
  };

  for (uint32_t i = 0; i + 1 < entries; i += 2) {
    std::string where = "hash page " + std::to_string(pgno) + " item " + std::to_string(i / 2);
    auto key = item(i);
    auto value = item(i + 1);
    if (!key || !value || key->empty() || value->empty()) {
      warn(where + ": item offset outside the page");
      continue;
    }
    if (uint8_t(value->front()) == k_item_offpage) {
      auto off = load_struct<OffPageItem>(*value, 0);
      if (!off) {
        warn(where + ": truncated overflow reference");
        continue;
      }
      auto blob = read_overflow(db, *off);
      if (!blob) {
        warn(where + ": " + blob.error().message);
        continue;
      }
      visit(*blob);
    } else if (uint8_t(value->front()) == k_item_keydata) {
      // rpm keeps its next-instance counter under key 0; that value is not a header.
      std::string_view k = key->substr(1);
      if (uint8_t(key->front()) == k_item_keydata && k.size() == 4 &&
          k == std::string_view("\0\0\0\0", 4)) {
        continue;
      }
      visit(value->substr(1));
    } else {
      warn(where + ": unsupported item type " + std::to_string(uint8_t(value->front())));
    }
  }
}

}  // namespace

Result<void> read_rpmdb_bdb(std::string_view bytes, const RpmBlobVisitor& visit,
                            const RpmWarn& warn) {
  auto meta = load_struct<MetaPage>(bytes, 0);
  if (!meta) return make_error("BerkeleyDB file shorter than its metadata page");
  Db db;
  db.bytes = bytes;
  if (load32(meta->magic, Order::little) == k_hash_magic) {
    db.order = Order::little;
  } else if (load32(meta->magic, Order::big) == k_hash_magic) {
    db.order = Order::big;
  } else {
    return make_error("not a BerkeleyDB hash database");
  }
  if (meta->type != k_page_hash_meta) {
    return make_error("BerkeleyDB metadata page of type " + std::to_string(meta->type));
  }
  if (meta->encrypt_alg != 0) return make_error("encrypted BerkeleyDB database");
  // Checksummed pages move the item index; rpm never creates them.
  if (meta->metaflags & k_metaflag_checksum) return make_error("checksummed BerkeleyDB pages");
  db.page_size = load32(meta->pagesize, db.order);
  if (db.page_size < 512 || db.page_size > 65536 || (db.page_size & (db.page_size - 1)) != 0) {
    return make_error("BerkeleyDB page size " + std::to_string(db.page_size));
  }
  uint64_t declared = uint64_t(load32(meta->last_pgno, db.order)) + 1;
  uint64_t present = bytes.size() / db.page_size;
  db.pages = std::min(declared, present);
  if (present < declared) {
    warn("BerkeleyDB file truncated: " + std::to_string(present) + " of " +
         std::to_string(declared) + " pages present");
  }

  for (uint64_t pgno = 1; pgno < db.pages; ++pgno) {
    auto header = load_struct<PageHeader>(db.page(pgno), 0);
    if (header && (header->type == k_page_hash || header->type == k_page_hash_unsorted)) {
      read_hash_page(db, pgno, visit, warn);
    }
  }
  return {};
}

}  // namespace pith::catalog
