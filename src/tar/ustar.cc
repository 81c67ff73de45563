// Numeric fields and checksums of ustar headers, shared by the index parser and the writer.
#include "tar/ustar.h"

#include <cstring>

namespace pith::tar {

std::optional<uint64_t> parse_numeric(std::string_view f) {
  if (!f.empty() && (static_cast<unsigned char>(f[0]) & 0x80)) {
    // Base-256: a set 0x40 bit in the first byte marks a negative number, never a valid size.
    if (static_cast<unsigned char>(f[0]) & 0x40) return std::nullopt;
    uint64_t v = static_cast<unsigned char>(f[0]) & 0x3f;
    for (size_t i = 1; i < f.size(); ++i) {
      if (v >> 56) return std::nullopt;
      v = (v << 8) | static_cast<unsigned char>(f[i]);
    }
    return v;
  }
  size_t i = 0;
  while (i < f.size() && (f[i] == ' ' || f[i] == '\0')) ++i;
  uint64_t v = 0;
  bool any = false;
  for (; i < f.size() && f[i] >= '0' && f[i] <= '7'; ++i) {
    if (v >> 61) return std::nullopt;
    v = (v << 3) | static_cast<uint64_t>(f[i] - '0');
    any = true;
  }
  for (; i < f.size(); ++i) {
    if (f[i] != ' ' && f[i] != '\0') return std::nullopt;
  }
  if (!any) return uint64_t{0};
  return v;
}

bool checksum_ok(const UstarHeader& h) {
  unsigned char bytes[k_block];
  std::memcpy(bytes, &h, k_block);
  constexpr size_t k_chksum_offset = offsetof(UstarHeader, chksum);
  std::memset(bytes + k_chksum_offset, ' ', sizeof(h.chksum));
  uint64_t unsigned_sum = 0;
  int64_t signed_sum = 0;
  for (unsigned char b : bytes) {
    unsigned_sum += b;
    signed_sum += static_cast<signed char>(b);
  }
  auto stored = parse_numeric(std::string_view(h.chksum, sizeof(h.chksum)));
  if (!stored) return false;
  return *stored == unsigned_sum || static_cast<int64_t>(*stored) == signed_sum;
}

std::optional<uint64_t> padded_size(uint64_t size) {
  if (size > UINT64_MAX - (k_block - 1)) return std::nullopt;
  return (size + k_block - 1) / k_block * k_block;
}

}  // namespace pith::tar
