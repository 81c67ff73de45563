// Internal to compress/: the concrete streaming filters behind decompress() and compress().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "compress/compression.h"
#include "util/byte_source.h"

namespace pith::compress {

std::unique_ptr<ByteSource> make_gzip_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
std::unique_ptr<ByteSource> make_zstd_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
// The encoders use `threads` threads (at least 1); their output does not depend on it.
// `level` is libdeflate's (1 to 12).
std::unique_ptr<ByteSource> make_gzip_encoder(std::unique_ptr<ByteSource> src, unsigned threads,
                                              int level = 1);
std::unique_ptr<ByteSource> make_zstd_encoder(std::unique_ptr<ByteSource> src, unsigned threads);
// The same encoders as sinks: what is written is compressed into `out`.
std::unique_ptr<CompressingSink> make_gzip_sink(ByteSink& out, unsigned threads, int level);
std::unique_ptr<CompressingSink> make_zstd_sink(ByteSink& out, unsigned threads);

// The CPUs this process may run on: the encoders' threads by default.
unsigned default_threads();

// A decoder whose first error sticks: a broken stream stays broken, and later reads repeat
// the error instead of guessing.
class StickyErrorDecoder : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte> out) final {
    if (m_error) return *m_error;
    auto r = read_some(out);
    if (!r) m_error = r.error();
    return r;
  }

 protected:
  virtual Result<size_t> read_some(std::span<std::byte> out) = 0;

 private:
  std::optional<Error> m_error;
};

// Input chunk the filters pull from the source below them.
inline constexpr size_t k_input_chunk = 128 * 1024;

// gzip compresses the input in chunks of this size, each on its own (gzip_encoder.cc). 1 MiB,
// as pgzip: larger chunks gain under 0.2% in size on a 1 GB layer, and cost memory per thread.
inline constexpr size_t k_gzip_chunk = size_t{1} << 20;

}  // namespace pith::compress
