// Fuzz target: gzip and zstd decompression (and peek) of arbitrary bytes, small output limit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compress/compression.h"

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
  return 0;
}
