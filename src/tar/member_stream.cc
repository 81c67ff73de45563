// MemberStream: walks the headers of a tar as it streams past, handing out each member's data
// in turn; data nobody reads is skipped (read and dropped), never kept.
#include "tar/member_stream.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "tar/entry.h"
#include "tar/pax.h"
#include "tar/ustar.h"

namespace pith::tar {

namespace {

// Long names and pax headers are read into memory; no honest one comes near this.
constexpr uint64_t k_max_meta_size = 1 << 20;

}  // namespace

MemberStream::MemberStream(std::unique_ptr<ByteSource> in) : m_in(std::move(in)) {}

Result<size_t> MemberStream::read_some(std::span<std::byte> out) {
  size_t n = TRY(m_in->read(out));
  m_position += n;
  return n;
}

Result<std::string> MemberStream::read_exact(uint64_t n, bool eof_ok) {
  std::string out(n, '\0');
  uint64_t have = 0;
  while (have < n) {
    size_t got =
        TRY(read_some(std::as_writable_bytes(std::span(out.data() + have, out.size() - have))));
    if (got == 0) {
      if (have == 0 && eof_ok) return std::string();
      return make_error("archive truncated at byte " + std::to_string(m_position));
    }
    have += got;
  }
  return out;
}

Result<void> MemberStream::skip(uint64_t n) {
  std::array<std::byte, 64 * 1024> buf;
  while (n > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, buf.size()));
    size_t got = TRY(read_some(std::span(buf.data(), want)));
    if (got == 0) return make_error("archive truncated at byte " + std::to_string(m_position));
    n -= got;
  }
  return {};
}

Result<bool> MemberStream::skip_padding() {
  // The final member's padding may be missing; that ends the archive, as in ArchiveIndex.
  while (m_padding > 0) {
    std::array<std::byte, k_block> pad;
    size_t got = TRY(read_some(std::span(pad.data(), static_cast<size_t>(m_padding))));
    if (got == 0) {
      m_ended = true;
      return false;
    }
    m_padding -= got;
  }
  return true;
}

Result<size_t> MemberStream::Data::read(std::span<std::byte> out) {
  MemberStream& s = m_owner;
  if (s.m_remaining == 0 || out.empty()) return size_t{0};
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), s.m_remaining));
  size_t got = TRY(s.read_some(out.first(want)));
  if (got == 0) return make_error("archive truncated at byte " + std::to_string(s.m_position));
  s.m_remaining -= got;
  return got;
}

Result<std::optional<Member>> MemberStream::next() {
  if (m_ended) return std::optional<Member>();
  TRY(skip(m_remaining));
  m_remaining = 0;
  if (!TRY(skip_padding())) return std::optional<Member>();
  Pending pending;
  for (;;) {
    uint64_t offset = m_position;
    // A tar that ends on a block boundary without the zero blocks is accepted, as GNU tar does.
    std::string block = TRY(read_exact(k_block, true));
    if (block.empty() || is_zero_block(block)) {
      m_ended = true;
      return std::optional<Member>();
    }
    UstarHeader h;
    std::memcpy(&h, block.data(), k_block);
    if (!checksum_ok(h))
      return make_error("bad header checksum at offset " + std::to_string(offset));
    char type = h.typeflag;
    auto field_size = parse_numeric(std::string_view(h.size, sizeof(h.size)));
    if (!field_size) return make_error("bad size field at offset " + std::to_string(offset));
    bool extension = type == 'x' || type == 'g' || type == 'L' || type == 'K';
    uint64_t size = pending.size && !extension ? *pending.size : *field_size;
    if (has_no_data(type)) size = 0;
    auto padded = padded_size(size);
    if (!padded) return make_error(header_name(h) + ": size overflows");

    if (extension) {
      if (size > k_max_meta_size)
        return make_error("extension header at offset " + std::to_string(offset) +
                          " is too large (" + std::to_string(size) + " bytes)");
      std::string data = TRY(read_exact(size, false));
      m_padding = *padded - size;
      if (!TRY(skip_padding())) return std::optional<Member>();
      if (type == 'L') pending.path = until_nul(data);
      if (type == 'K') pending.link = until_nul(data);
      if (type == 'x')
        TRY_CTX("pax header at offset " + std::to_string(offset), apply_pax(data, pending));
      continue;
    }
    Member m = TRY(member_from_header(h, type, pending, m_position, size));
    m_remaining = size;
    m_padding = *padded - size;
    return std::optional<Member>(std::move(m));
  }
}

}  // namespace pith::tar
