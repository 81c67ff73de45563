// Internal to compress/: joining independently compressed deflate streams into one.
//
// libdeflate compresses a whole buffer into a complete deflate stream (RFC 1951) whose last
// block is marked final, and it has no flush: its streams cannot simply be concatenated into
// one gzip member. Pigz joins zlib's chunks with a sync flush; here the same join is made after
// the fact: the final block's BFINAL bit is cleared and an empty stored block (what a sync flush
// writes: 3 zero bits, then 00 00 ff ff on a byte boundary) ends the chunk. Finding the final
// block means walking the stream's blocks (Huffman codes decoded, nothing written out), which
// costs a few percent of the compression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "util/result.h"

namespace pith::compress {

struct DeflateBlocks {
  uint64_t final_header_bit = 0;  // bit offset of the final block's BFINAL bit
  uint64_t end_bit = 0;           // bit offset just past the final block's end-of-block code
};

// Walks the blocks of one complete deflate stream (bits counted LSB first, as RFC 1951 packs
// them). An invalid or truncated stream is an error.
Result<DeflateBlocks> walk_deflate_blocks(std::span<const std::byte> stream);

// Turns the first `size` bytes of `buffer` (one complete deflate stream, exactly the bytes the
// compressor wrote) into a non-final run of blocks that ends on a byte boundary, so another
// run can follow it. Needs k_join_slack bytes of room after the stream; returns the new size.
inline constexpr size_t k_join_slack = 5;
Result<size_t> make_joinable(std::span<std::byte> buffer, size_t size);

// Ends a sequence of joinable runs: a final, empty block with fixed Huffman codes (its
// end-of-block code), as zlib writes at Z_FINISH after a flush.
inline constexpr std::byte k_deflate_final_empty_block[] = {std::byte{0x03}, std::byte{0x00}};

}  // namespace pith::compress
