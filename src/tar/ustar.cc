// Numeric fields, checksums and names of ustar headers, and pax overrides: shared by the
// archive readers (index and stream) and the writer.
#include "tar/ustar.h"

#include <cstring>

#include "tar/entry.h"
#include "tar/pax.h"

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

bool is_zero_block(std::string_view b) {
  for (char c : b) {
    if (c != '\0') return false;
  }
  return true;
}

std::string until_nul(std::string_view s) {
  return std::string(s.substr(0, s.find('\0')));
}

bool has_no_data(char type) {
  return type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
}

Result<void> apply_pax(std::string_view data, Pending& pending) {
  PaxRecords records = TRY(parse_pax(data));
  for (const auto& [key, value] : records) {
    if (key == "path") {
      pending.path = value;
    } else if (key == "linkpath") {
      pending.link = value;
    } else if (key == "size") {
      uint64_t v = 0;
      if (value.empty() || value.size() > 19) return make_error("bad pax size \"" + value + "\"");
      for (char c : value) {
        if (c < '0' || c > '9') return make_error("bad pax size \"" + value + "\"");
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      pending.size = v;
    }
  }
  return {};
}

std::string header_name(const UstarHeader& h) {
  std::string name(field_text(h.name));
  // Only POSIX ustar has a prefix field; old GNU headers keep other data there.
  bool posix = std::memcmp(h.magic, "ustar\0", 6) == 0;
  if (posix && h.prefix[0] != '\0') name = std::string(field_text(h.prefix)) + "/" + name;
  return name;
}

Result<Member> member_from_header(const UstarHeader& h, char type, const Pending& pending,
                                  uint64_t offset, uint64_t size) {
  Member m;
  std::string raw_name = pending.path ? *pending.path : header_name(h);
  if (!normalize_path(raw_name, m.name))
    return make_error(raw_name + ": path escapes the archive root");
  m.type = (type == '\0' || type == '7') ? '0' : type;
  m.offset = offset;
  m.size = size;
  std::string raw_link = pending.link ? *pending.link : std::string(field_text(h.linkname));
  if (m.type == '1') {
    if (!normalize_path(raw_link, m.link))
      return make_error(raw_name + ": hard link target escapes the archive root");
  } else {
    m.link = raw_link;
  }
  return m;
}

}  // namespace pith::tar
