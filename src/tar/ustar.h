// Internal to tar/: the 512-byte ustar header as a plain struct, and its numeric fields.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tar/archive_index.h"
#include "util/result.h"

namespace pith::tar {

inline constexpr size_t k_block = 512;

// POSIX ustar layout. Only ever filled by memcpy from a byte buffer or written field by field;
// never cast from a buffer.
struct UstarHeader {
  char name[100];
  char mode[8];
  char uid[8];
  char gid[8];
  char size[12];
  char mtime[12];
  char chksum[8];
  char typeflag;
  char linkname[100];
  char magic[6];
  char version[2];
  char uname[32];
  char gname[32];
  char devmajor[8];
  char devminor[8];
  char prefix[155];
  char pad[12];
};
static_assert(sizeof(UstarHeader) == k_block);

// A NUL-terminated (or full-width) text field.
template <size_t N>
std::string_view field_text(const char (&f)[N]) {
  size_t n = 0;
  while (n < N && f[n] != '\0') ++n;
  return std::string_view(f, n);
}

// Octal (space/NUL padded) or GNU base-256 (high bit of the first byte set). nullopt when
// malformed, negative, or over 64 bits.
std::optional<uint64_t> parse_numeric(std::string_view field);

// True when the stored checksum matches the header, summed as unsigned or (as some old tars
// did) signed bytes.
bool checksum_ok(const UstarHeader& h);

// Bytes of data rounded up to whole blocks; nullopt on overflow.
std::optional<uint64_t> padded_size(uint64_t size);

// Shared by the archive readers (the index and the stream), which walk the same headers.
bool is_zero_block(std::string_view b);
std::string until_nul(std::string_view s);
// Types whose size field does not announce data that follows.
bool has_no_data(char type);
// The member's name: `prefix/name` for POSIX ustar headers, `name` otherwise.
std::string header_name(const UstarHeader& h);

// Metadata that extension headers ('L', 'K', 'x') carry over to the next real header.
struct Pending {
  std::optional<std::string> path;
  std::optional<std::string> link;
  std::optional<uint64_t> size;
};
// Applies a pax header's path, linkpath and size records to `pending`.
Result<void> apply_pax(std::string_view data, Pending& pending);

// The member a real header (typeflag `type`, data of `size` bytes at `offset`) describes, its
// name and link taken from `pending` where extension headers gave them. Names and hard-link
// targets that climb out of the archive are errors.
Result<Member> member_from_header(const UstarHeader& h, char type, const Pending& pending,
                                  uint64_t offset, uint64_t size);

}  // namespace pith::tar
