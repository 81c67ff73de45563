// Internal to compress/: the concrete streaming filters behind decompress() and compress().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "util/byte_source.h"

namespace pith::compress {

std::unique_ptr<ByteSource> make_gzip_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
std::unique_ptr<ByteSource> make_zstd_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
std::unique_ptr<ByteSource> make_gzip_encoder(std::unique_ptr<ByteSource> src);
std::unique_ptr<ByteSource> make_zstd_encoder(std::unique_ptr<ByteSource> src);

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

}  // namespace pith::compress
