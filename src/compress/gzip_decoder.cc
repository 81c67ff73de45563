// gzip decompression with ISA-L's igzip: multi-member streams, trailer CRC and size checked.
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compress/filters.h"

namespace pith::compress {

namespace {

std::string isal_error_text(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC or length mismatch in trailer";
    case ISAL_NEED_DICT:
      return "stream needs a preset dictionary";
    default:
      return "error " + std::to_string(code);
  }
}

class GzipDecoder final : public StickyErrorDecoder {
 public:
  GzipDecoder(std::unique_ptr<ByteSource> src, uint64_t limit)
      : m_src(std::move(src)), m_limit(limit), m_in(k_input_chunk) {
    // inflate_state holds ~100 KiB of tables and window, so it lives on the heap.
    m_state = std::make_unique<inflate_state>();
    start_member();
  }

 private:
  void start_member() {
    uint8_t* next = m_state->next_in;
    uint32_t avail = m_state->avail_in;
    isal_inflate_init(m_state.get());
    m_state->crc_flag = ISAL_GZIP;
    m_state->next_in = next;
    m_state->avail_in = avail;
    m_member_done = false;
  }

  // Read-ahead chunks are inflated in place, without a copy into m_in; igzip's input counter
  // is 32-bit, so a larger view is handed over in pieces.
  Result<void> refill() {
    if (m_pending.empty()) {
      m_pending = TRY(m_src->read_view(std::span(m_in)));
      if (m_pending.empty()) m_eof = true;
    }
    auto piece = m_pending.first(std::min<size_t>(m_pending.size(), k_max_piece));
    m_pending = m_pending.subspan(piece.size());
    // igzip only reads through next_in; the field is not const in its struct.
    m_state->next_in = const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(piece.data()));
    m_state->avail_in = static_cast<uint32_t>(piece.size());
    return {};
  }

  Result<size_t> read_some(std::span<std::byte> out) override {
    if (out.empty() || m_done) return size_t{0};
    // igzip's counters are 32-bit; larger reads simply return in several calls.
    uint32_t want = static_cast<uint32_t>(std::min<size_t>(out.size(), uint32_t{1} << 30));
    for (;;) {
      if (m_state->avail_in == 0 && !m_eof) TRY(refill());
      if (m_member_done) {
        // Another member may follow right after the trailer; clean end of input ends the
        // stream.
        if (m_state->avail_in == 0) {
          if (m_eof) {
            m_done = true;
            return size_t{0};
          }
          continue;
        }
        start_member();
        ++m_members;
      }
      if (m_state->avail_in == 0 && m_eof) {
        return make_error(m_started ? "gzip: unexpected end of input (truncated stream)"
                                    : "gzip: empty input");
      }
      m_started = true;
      m_state->next_out = reinterpret_cast<uint8_t*>(out.data());
      m_state->avail_out = want;
      uint32_t avail_before = m_state->avail_in;
      int rc = isal_inflate(m_state.get());
      if (rc < 0) {
        if (rc == ISAL_INVALID_WRAPPER && m_members > 0)
          return make_error("gzip: data after the end of member " + std::to_string(m_members) +
                            " is not a gzip member");
        return make_error("gzip: " + isal_error_text(rc));
      }
      if (rc == ISAL_NEED_DICT) return make_error("gzip: " + isal_error_text(rc));
      size_t produced = want - m_state->avail_out;
      if (m_state->block_state == ISAL_BLOCK_FINISH) m_member_done = true;
      if (produced > 0) {
        if (produced > m_limit - m_total)
          return make_error("gzip: output exceeds the limit of " + std::to_string(m_limit) +
                            " bytes");
        m_total += produced;
        m_stalls = 0;
        return produced;
      }
      // Defence against a decoder loop on hostile input: no input taken and no output given.
      if (m_state->avail_in == avail_before && !m_member_done && ++m_stalls > k_max_stalls)
        return make_error("gzip: decoder made no progress");
    }
  }

  static constexpr int k_max_stalls = 16;
  static constexpr size_t k_max_piece = size_t{1} << 30;

  std::unique_ptr<ByteSource> m_src;
  uint64_t m_limit;
  int m_stalls = 0;
  std::vector<std::byte> m_in;
  std::span<const std::byte> m_pending;  // input not yet handed to igzip
  std::unique_ptr<inflate_state> m_state;
  uint64_t m_total = 0;
  uint64_t m_members = 0;
  bool m_eof = false;
  bool m_started = false;
  bool m_member_done = false;
  bool m_done = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_gzip_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit) {
  return std::make_unique<GzipDecoder>(std::move(src), output_limit);
}

}  // namespace pith::compress
