// rpm's NDB backend (SUSE Packages.db), after rpm's lib/backend/ndb/rpmpkg.c: a 32-byte header,
// slot pages of 16-byte slots, and per package a blob in 16-byte blocks framed by a head and
// a tail. Everything is little endian.
#include <algorithm>
#include <string>
#include <vector>

#include "catalog/rpm_bytes.h"
#include "catalog/rpmdb.h"

namespace pith::catalog {
namespace {

using rpm_bytes::load32;
using rpm_bytes::load_struct;
using rpm_bytes::Order;

constexpr uint32_t fourcc(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}
constexpr uint32_t k_db_magic = fourcc("RpmP");
constexpr uint32_t k_slot_magic = fourcc("Slot");
constexpr uint32_t k_blob_head_magic = fourcc("BlbS");
constexpr uint32_t k_blob_tail_magic = fourcc("BlbE");
constexpr uint64_t k_slot_page_size = 4096;
constexpr uint64_t k_block_size = 16;
// Like go-rpmdb: more slot pages than this (half a million packages) is not a real database.
constexpr uint32_t k_max_slot_pages = 2048;

struct DbHeader {
  uint8_t magic[4];
  uint8_t version[4];
  uint8_t generation[4];
  uint8_t slot_pages[4];
  uint8_t next_pkgidx[4];
  uint8_t reserved[12];
};
static_assert(sizeof(DbHeader) == 32);

struct Slot {
  uint8_t magic[4];
  uint8_t pkgidx[4];
  uint8_t block_offset[4];  // in 16-byte blocks; 0 marks a free slot
  uint8_t block_count[4];
};
static_assert(sizeof(Slot) == 16);

struct BlobHead {
  uint8_t magic[4];
  uint8_t pkgidx[4];
  uint8_t timestamp[4];
  uint8_t length[4];
};
static_assert(sizeof(BlobHead) == 16);

struct BlobTail {
  uint8_t adler32[4];
  uint8_t length[4];
  uint8_t magic[4];
};
static_assert(sizeof(BlobTail) == 12);

struct UsedSlot {
  uint32_t pkgidx;
  uint64_t block_offset;
  uint64_t block_count;
};

// The header blob a slot points at, after the checks rpm makes when it reads one.
Result<std::string_view> slot_blob(std::string_view bytes, const UsedSlot& slot,
                                   uint64_t first_data_block) {
  uint64_t start = slot.block_offset * k_block_size;  // < 2^36: no overflow
  uint64_t span = slot.block_count * k_block_size;
  if (slot.block_offset < first_data_block || !rpm_bytes::in_bounds(bytes.size(), start, span)) {
    return make_error("blocks " + std::to_string(slot.block_offset) + "+" +
                      std::to_string(slot.block_count) + " outside the data area");
  }
  std::string_view area = bytes.substr(size_t(start), size_t(span));
  auto head = load_struct<BlobHead>(area, 0);
  if (!head || load32(head->magic, Order::little) != k_blob_head_magic ||
      load32(head->pkgidx, Order::little) != slot.pkgidx) {
    return make_error("no blob head for the package");
  }
  uint64_t length = load32(head->length, Order::little);
  uint64_t framed = sizeof(BlobHead) + length + sizeof(BlobTail);
  if ((framed + k_block_size - 1) / k_block_size != slot.block_count) {
    return make_error("blob of " + std::to_string(length) + " bytes in " +
                      std::to_string(slot.block_count) + " blocks");
  }
  // Zero padding separates the blob from its tail, which ends the last block.
  auto tail = load_struct<BlobTail>(area, area.size() - sizeof(BlobTail));
  if (!tail || load32(tail->magic, Order::little) != k_blob_tail_magic ||
      load32(tail->length, Order::little) != length) {
    return make_error("damaged blob tail");
  }
  return area.substr(sizeof(BlobHead), size_t(length));
}

}  // namespace

Result<void> read_rpmdb_ndb(std::string_view bytes, const RpmBlobVisitor& visit,
                            const RpmWarn& warn) {
  auto header = load_struct<DbHeader>(bytes, 0);
  if (!header || load32(header->magic, Order::little) != k_db_magic) {
    return make_error("not an NDB rpm database");
  }
  if (uint32_t version = load32(header->version, Order::little); version != 0) {
    return make_error("NDB version " + std::to_string(version));
  }
  uint32_t slot_pages = load32(header->slot_pages, Order::little);
  if (slot_pages == 0 || slot_pages > k_max_slot_pages) {
    return make_error("NDB with " + std::to_string(slot_pages) + " slot pages");
  }
  if (bytes.size() < slot_pages * k_slot_page_size) {
    return make_error("NDB file truncated inside its slot pages");
  }

  // The first two slot positions hold the database header.
  std::vector<UsedSlot> used;
  for (uint64_t off = sizeof(DbHeader); off < slot_pages * k_slot_page_size; off += sizeof(Slot)) {
    auto slot = load_struct<Slot>(bytes, off);
    if (load32(slot->magic, Order::little) != k_slot_magic) {
      return make_error("bad NDB slot magic at offset " + std::to_string(off));
    }
    uint32_t block_offset = load32(slot->block_offset, Order::little);
    if (block_offset == 0) continue;
    used.push_back({load32(slot->pkgidx, Order::little), block_offset,
                    load32(slot->block_count, Order::little)});
  }
  // rpm lists packages in the order their blobs are stored.
  std::stable_sort(used.begin(), used.end(), [](const UsedSlot& a, const UsedSlot& b) {
    return a.block_offset < b.block_offset;
  });
  uint64_t first_data_block = slot_pages * k_slot_page_size / k_block_size;
  for (const UsedSlot& slot : used) {
    auto blob = slot_blob(bytes, slot, first_data_block);
    if (!blob) {
      warn("NDB package " + std::to_string(slot.pkgidx) + " skipped: " + blob.error().message);
      continue;
    }
    visit(*blob);
  }
  return {};
}

}  // namespace pith::catalog
