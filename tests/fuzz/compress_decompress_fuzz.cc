// Fuzz target: gzip and zstd decompression (and peek) of arbitrary bytes, small output limit;
// the deflate block walker on the same bytes; and a gzip encode/decode round trip of them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compress/compression.h"
#include "compress/deflate_blocks.h"
#include "compress/filters.h"

namespace {

constexpr uint64_t k_limit = 1 << 20;

void run(const std::string& input, pith::compress::Compression c) {
  auto src = pith::compress::decompress(std::make_unique<pith::MemorySource>(input), c, k_limit);
  auto out = pith::read_all(*src, k_limit + 1);
  if (out && out->size() > k_limit) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  run(input, pith::compress::Compression::gzip);
  run(input, pith::compress::Compression::zstd);
  // peek must give back exactly the input.
  auto peeked = pith::compress::peek(std::make_unique<pith::MemorySource>(input));
  if (!peeked) __builtin_trap();
  auto again = pith::read_all(*peeked->stream, size + 1);
  if (!again || *again != input) __builtin_trap();
  // The walker reads only what it is given, and never reports blocks past the end.
  auto blocks = pith::compress::walk_deflate_blocks(std::as_bytes(std::span(data, size)));
  if (blocks &&
      (blocks->end_bit > uint64_t{size} * 8 || blocks->final_header_bit >= blocks->end_bit))
    __builtin_trap();
  // What pith's gzip writes, its decoder reads back (one chunk here: fuzz inputs are small).
  auto enc = pith::compress::make_gzip_encoder(std::make_unique<pith::MemorySource>(input), 1);
  auto z = pith::read_all(*enc, 2 * size + 1024);
  if (!z) __builtin_trap();
  auto dec = pith::compress::decompress(std::make_unique<pith::MemorySource>(*z),
                                        pith::compress::Compression::gzip, k_limit);
  auto back = pith::read_all(*dec, size + 1);
  if (!back || *back != input) __builtin_trap();
  return 0;
}
