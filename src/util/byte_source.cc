// Generic stream helpers.
#include "util/byte_source.h"

#include <algorithm>
#include <cstring>

namespace pith {

namespace {
constexpr size_t k_chunk = 1 << 20;
}

Result<std::string> read_all(ByteSource& src, uint64_t limit) {
  std::string out;
  std::vector<std::byte> buf(64 * 1024);
  for (;;) {
    size_t n = TRY(src.read(buf));
    if (n == 0) return out;
    if (out.size() + n > limit)
      return make_error("larger than the " + std::to_string(limit) + "-byte limit");
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

Result<uint64_t> drain(ByteSource& src) {
  std::vector<std::byte> buf(k_chunk);
  uint64_t total = 0;
  for (;;) {
    size_t n = TRY(src.read_view(buf)).size();
    if (n == 0) return total;
    total += n;
  }
}

Result<uint64_t> pump(ByteSource& src, ByteSink& dst) {
  std::vector<std::byte> buf(k_chunk);
  uint64_t total = 0;
  for (;;) {
    size_t n = TRY(src.read(buf));
    if (n == 0) return total;
    TRY(dst.write(std::span(buf.data(), n)));
    total += n;
  }
}

Result<size_t> MemorySource::read(std::span<std::byte> out) {
  size_t n = std::min(out.size(), m_data.size() - m_pos);
  std::memcpy(out.data(), m_data.data() + m_pos, n);
  m_pos += n;
  return n;
}

Result<size_t> HashingSource::read(std::span<std::byte> out) {
  size_t n = TRY(m_inner.read(out));
  m_hash.update(std::span<const std::byte>(out.data(), n));
  m_bytes += n;
  return n;
}

Result<std::span<const std::byte>> HashingSource::read_view(std::span<std::byte> scratch) {
  auto view = TRY(m_inner.read_view(scratch));
  m_hash.update(view);
  m_bytes += view.size();
  return view;
}

}  // namespace pith
