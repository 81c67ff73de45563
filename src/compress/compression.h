// Layer compression: detection by magic bytes, and streaming (de)compression filters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "util/byte_source.h"
#include "util/result.h"

namespace pith::compress {

enum class Compression { none, gzip, zstd };

std::string_view name(Compression c);
// "none" | "gzip" | "zstd" (also "uncompressed").
Result<Compression> parse(std::string_view name);

// Recognises gzip (1f 8b) and zstd (28 b5 2f fd) frames; anything else is `none`.
Compression detect(std::span<const std::byte> head);

// Reads the first bytes of `src` to detect its compression, without losing them: the
// returned source yields the whole stream again.
struct Peeked {
  Compression compression;
  std::unique_ptr<ByteSource> stream;
};
Result<Peeked> peek(std::unique_ptr<ByteSource> src);

// Default ceiling on decompressed bytes per stream (a decompression bomb is an error).
inline constexpr uint64_t k_default_output_limit = uint64_t{1} << 40;

// Decompressing filter over `src` (gzip: ISA-L, multi-member; zstd: libzstd, multi-frame).
// `none` returns src unchanged. Corrupt or truncated input is an error, and so is output
// beyond `output_limit` bytes.
std::unique_ptr<ByteSource> decompress(std::unique_ptr<ByteSource> src, Compression c,
                                       uint64_t output_limit = k_default_output_limit);

// How hard gzip works, by what the bytes are for (bench/copy, bench/build measure both):
// `fast` for copies of whole images (libdeflate level 1: within 3% of the size skopeo writes,
// and 1.5x its speed), `small` for the layers `pith build` writes (level 2: no larger than
// podman's, for a third more CPU on megabytes rather than gigabytes). zstd is level 3 for both.
enum class Effort { fast, small };

// Compressing filter on every core the process may use. Deterministic: the same input gives
// the same bytes on any machine, whatever its number of cores (gzip: libdeflate at `effort`'s
// level on independent 1 MiB chunks joined into one member, no name, mtime 0, OS byte 255
// "unknown"; zstd: level 3, no dictionary, content checksum on, libzstd's multi-threaded mode).
std::unique_ptr<ByteSource> compress(std::unique_ptr<ByteSource> src, Compression c,
                                     Effort effort = Effort::fast);

// The same filter for a producer that writes (a tar writer): what is written to it is
// compressed into `out`, the bytes compress() gives for the same input, whatever the sizes of
// the writes. finish() after the last write ends the stream; without it the output is cut.
class CompressingSink : public ByteSink {
 public:
  virtual Result<void> finish() = 0;
};
std::unique_ptr<CompressingSink> compressing_sink(ByteSink& out, Compression c,
                                                  Effort effort = Effort::fast);

}  // namespace pith::compress
