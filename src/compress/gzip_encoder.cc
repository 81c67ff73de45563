// Deterministic gzip compression with zlib: level 6, mtime 0, no name, OS byte 255.
#include <zlib.h>

#include <string>
#include <vector>

#include "compress/filters.h"

namespace pith::compress {

namespace {

class GzipEncoder final : public ByteSource {
 public:
  explicit GzipEncoder(std::unique_ptr<ByteSource> src)
      : m_src(std::move(src)), m_in(k_input_chunk) {
    // windowBits 15 + 16 asks zlib for the gzip wrapper; the explicit header pins the fields
    // zlib would otherwise take from the host (OS code).
    constexpr int k_gzip_window = 15 + 16;
    constexpr int k_mem_level = 8;
    m_ok = deflateInit2(&m_z, k_level, Z_DEFLATED, k_gzip_window, k_mem_level,
                        Z_DEFAULT_STRATEGY) == Z_OK;
    if (!m_ok) return;
    m_header.os = 255;
    m_header.time = 0;
    m_ok = deflateSetHeader(&m_z, &m_header) == Z_OK;
  }
  ~GzipEncoder() override { deflateEnd(&m_z); }
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  Result<size_t> read(std::span<std::byte> out) override {
    if (!m_ok) return make_error("gzip: cannot initialise zlib");
    if (out.empty() || m_done) return size_t{0};
    // zlib's counters are 32-bit; a larger read simply returns less.
    uInt want = static_cast<uInt>(std::min<size_t>(out.size(), uInt{1} << 30));
    for (;;) {
      if (m_z.avail_in == 0 && !m_eof) {
        size_t n = TRY(m_src->read(std::span(m_in)));
        if (n == 0) m_eof = true;
        m_z.next_in = reinterpret_cast<Bytef*>(m_in.data());
        m_z.avail_in = static_cast<uInt>(n);
      }
      m_z.next_out = reinterpret_cast<Bytef*>(out.data());
      m_z.avail_out = want;
      int rc = deflate(&m_z, m_eof ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_END)
        m_done = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        return make_error("gzip: deflate failed (" + std::to_string(rc) + ")");
      size_t produced = want - m_z.avail_out;
      if (produced > 0 || m_done) return produced;
    }
  }

 private:
  static constexpr int k_level = 6;
  std::unique_ptr<ByteSource> m_src;
  std::vector<std::byte> m_in;
  z_stream m_z{};
  gz_header m_header{};
  bool m_ok = false;
  bool m_eof = false;
  bool m_done = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_gzip_encoder(std::unique_ptr<ByteSource> src) {
  return std::make_unique<GzipEncoder>(std::move(src));
}

}  // namespace pith::compress
