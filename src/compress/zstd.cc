// zstd streaming decompression (multi-frame, skippable frames) and deterministic compression.
#include <zstd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compress/filters.h"

namespace pith::compress {

namespace {

struct DctxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct CctxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

class ZstdDecoder final : public StickyErrorDecoder {
 public:
  ZstdDecoder(std::unique_ptr<ByteSource> src, uint64_t limit)
      : m_src(std::move(src)), m_limit(limit), m_in(k_input_chunk), m_ctx(ZSTD_createDCtx()) {}

 private:
  Result<size_t> read_some(std::span<std::byte> out) override {
    if (!m_ctx) return make_error("zstd: out of memory");
    if (out.empty() || m_done) return size_t{0};
    for (;;) {
      if (m_input.pos == m_input.size && !m_eof) {
        // Read-ahead chunks are decoded in place, without a copy into m_in.
        auto view = TRY(m_src->read_view(std::span(m_in)));
        if (view.empty()) m_eof = true;
        m_input = ZSTD_inBuffer{view.data(), view.size(), 0};
      }
      // A frame boundary at the end of input is the only clean end; anything else there is
      // a truncated frame.
      bool drained = m_input.pos == m_input.size && m_eof;
      if (drained && m_frame_done && m_started) {
        m_done = true;
        return size_t{0};
      }
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      size_t before = m_input.pos;
      size_t rc = ZSTD_decompressStream(m_ctx.get(), &output, &m_input);
      if (ZSTD_isError(rc)) return make_error(std::string("zstd: ") + ZSTD_getErrorName(rc));
      if (m_input.pos != before) m_started = true;
      m_frame_done = rc == 0;
      if (output.pos > 0) {
        if (output.pos > m_limit - m_total)
          return make_error("zstd: output exceeds the limit of " + std::to_string(m_limit) +
                            " bytes");
        m_total += output.pos;
        return output.pos;
      }
      if (drained) {
        return make_error(m_started ? "zstd: unexpected end of input (truncated frame)"
                                    : "zstd: empty input");
      }
    }
  }

  std::unique_ptr<ByteSource> m_src;
  uint64_t m_limit;
  std::vector<std::byte> m_in;
  std::unique_ptr<ZSTD_DCtx, DctxFree> m_ctx;
  ZSTD_inBuffer m_input{nullptr, 0, 0};
  uint64_t m_total = 0;
  bool m_eof = false;
  bool m_started = false;
  bool m_frame_done = false;
  bool m_done = false;
};

// Multi-threaded libzstd (ZSTD_c_nbWorkers >= 1, even with one thread): its streaming output
// is the same whatever the number of workers (facebook/zstd#2238, #2327), but differs from
// the single-threaded mode's (nbWorkers 0), which is therefore never used: a one-core machine
// writes the same bytes as a many-core one. The one exception, a first call that already
// ends the frame (the one-pass shortcut, whose job split did depend on the workers), never
// happens here with input: the first bytes always go in with ZSTD_e_continue.
constexpr int k_level = 3;
// Jobs of 2 MiB rather than level 3's 8 MiB: a quarter of the buffers in flight (`pith copy`
// peaks at 38 MB on 2 cores instead of 76 MB), more of a mid-sized layer's jobs at once, for
// 1.3% more bytes on bench/copy's layer.
constexpr int k_job_size = 2 << 20;

// The compression context both encoders use; `setup_error` says what could not be set (a
// libzstd built without threads would write other bytes: refused rather than different).
std::unique_ptr<ZSTD_CCtx, CctxFree> compression_context(unsigned threads,
                                                         std::string& setup_error) {
  std::unique_ptr<ZSTD_CCtx, CctxFree> ctx(ZSTD_createCCtx());
  if (!ctx) {
    setup_error = "zstd: out of memory";
    return ctx;
  }
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, k_level);
  ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, 1);
  size_t rc =
      ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_nbWorkers, static_cast<int>(std::max(threads, 1u)));
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_jobSize, k_job_size);
  if (ZSTD_isError(rc))
    setup_error = std::string("zstd: ") + ZSTD_getErrorName(rc) + " (setting worker threads)";
  return ctx;
}

class ZstdEncoder final : public ByteSource {
 public:
  ZstdEncoder(std::unique_ptr<ByteSource> src, unsigned threads)
      : m_src(std::move(src)),
        m_in(k_input_chunk),
        m_ctx(compression_context(threads, m_setup_error)) {}

  Result<size_t> read(std::span<std::byte> out) override {
    if (!m_setup_error.empty()) return make_error(m_setup_error);
    if (out.empty() || m_done) return size_t{0};
    for (;;) {
      if (m_input.pos == m_input.size && !m_eof) {
        // Read-ahead chunks are decoded in place, without a copy into m_in.
        auto view = TRY(m_src->read_view(std::span(m_in)));
        if (view.empty()) m_eof = true;
        m_input = ZSTD_inBuffer{view.data(), view.size(), 0};
      }
      ZSTD_EndDirective mode = m_eof ? ZSTD_e_end : ZSTD_e_continue;
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      size_t rc = ZSTD_compressStream2(m_ctx.get(), &output, &m_input, mode);
      if (ZSTD_isError(rc)) return make_error(std::string("zstd: ") + ZSTD_getErrorName(rc));
      if (m_eof && rc == 0) m_done = true;
      if (output.pos > 0 || m_done) return output.pos;
    }
  }

 private:
  std::unique_ptr<ByteSource> m_src;
  std::vector<std::byte> m_in;
  std::string m_setup_error;
  std::unique_ptr<ZSTD_CCtx, CctxFree> m_ctx;
  ZSTD_inBuffer m_input{nullptr, 0, 0};
  bool m_eof = false;
  bool m_done = false;
};

// The push form: each write is handed to libzstd as it comes, its output written to `out`.
class ZstdSink final : public CompressingSink {
 public:
  ZstdSink(ByteSink& out, unsigned threads)
      : m_out(out), m_buf(k_input_chunk), m_ctx(compression_context(threads, m_setup_error)) {}

  Result<void> write(std::span<const std::byte> data) override {
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    while (input.pos < input.size) TRY(step(input, ZSTD_e_continue));
    return {};
  }

  Result<void> finish() override {
    ZSTD_inBuffer input{nullptr, 0, 0};
    while (TRY(step(input, ZSTD_e_end)) != 0) {
    }
    return {};
  }

 private:
  // One call into libzstd, its output written; what it still has to flush (0: all done).
  Result<size_t> step(ZSTD_inBuffer& input, ZSTD_EndDirective mode) {
    if (!m_setup_error.empty()) return make_error(m_setup_error);
    ZSTD_outBuffer output{m_buf.data(), m_buf.size(), 0};
    size_t rc = ZSTD_compressStream2(m_ctx.get(), &output, &input, mode);
    if (ZSTD_isError(rc)) return make_error(std::string("zstd: ") + ZSTD_getErrorName(rc));
    if (output.pos > 0) TRY(m_out.write(std::span<const std::byte>(m_buf.data(), output.pos)));
    return rc;
  }

  ByteSink& m_out;
  std::vector<std::byte> m_buf;
  std::string m_setup_error;
  std::unique_ptr<ZSTD_CCtx, CctxFree> m_ctx;
};

}  // namespace

std::unique_ptr<ByteSource> make_zstd_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit) {
  return std::make_unique<ZstdDecoder>(std::move(src), output_limit);
}

std::unique_ptr<ByteSource> make_zstd_encoder(std::unique_ptr<ByteSource> src, unsigned threads) {
  return std::make_unique<ZstdEncoder>(std::move(src), threads);
}

std::unique_ptr<CompressingSink> make_zstd_sink(ByteSink& out, unsigned threads) {
  return std::make_unique<ZstdSink>(out, threads);
}

}  // namespace pith::compress
