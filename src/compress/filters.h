// Internal to compress/: the concrete streaming filters behind decompress() and compress().
#pragma once

#include <cstdint>
#include <memory>

#include "util/byte_source.h"

namespace pith::compress {

std::unique_ptr<ByteSource> make_gzip_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
std::unique_ptr<ByteSource> make_zstd_decoder(std::unique_ptr<ByteSource> src,
                                              uint64_t output_limit);
std::unique_ptr<ByteSource> make_gzip_encoder(std::unique_ptr<ByteSource> src);
std::unique_ptr<ByteSource> make_zstd_encoder(std::unique_ptr<ByteSource> src);

// Input chunk the filters pull from the source below them.
inline constexpr size_t k_input_chunk = 128 * 1024;

}  // namespace pith::compress
