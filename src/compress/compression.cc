// Compression names, magic-byte detection, peeking, and the dispatch to concrete filters.
#include "compress/compression.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "compress/filters.h"

namespace pith::compress {

namespace {

constexpr std::array<unsigned char, 2> k_gzip_magic = {0x1f, 0x8b};
constexpr std::array<unsigned char, 4> k_zstd_magic = {0x28, 0xb5, 0x2f, 0xfd};
constexpr size_t k_peek_bytes = 4;

template <size_t N>
bool starts_with(std::span<const std::byte> head, const std::array<unsigned char, N>& magic) {
  if (head.size() < N) return false;
  return std::memcmp(head.data(), magic.data(), N) == 0;
}

// Replays the bytes peek() read before handing over to the rest of the stream.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : m_prefix(std::move(prefix)), m_rest(std::move(rest)) {}

  Result<size_t> read(std::span<std::byte> out) override {
    if (m_pos < m_prefix.size()) {
      size_t n = std::min(out.size(), m_prefix.size() - m_pos);
      std::memcpy(out.data(), m_prefix.data() + m_pos, n);
      m_pos += n;
      return n;
    }
    return m_rest->read(out);
  }
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    if (m_pos < m_prefix.size()) {
      auto view = std::as_bytes(std::span(m_prefix)).subspan(m_pos);
      m_pos = m_prefix.size();
      return view;
    }
    return m_rest->read_view(scratch);
  }

 private:
  std::string m_prefix;
  size_t m_pos = 0;
  std::unique_ptr<ByteSource> m_rest;
};

}  // namespace

std::string_view name(Compression c) {
  switch (c) {
    case Compression::none:
      return "none";
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
  }
  return "none";
}

Result<Compression> parse(std::string_view text) {
  if (text == "none" || text == "uncompressed") return Compression::none;
  if (text == "gzip") return Compression::gzip;
  if (text == "zstd") return Compression::zstd;
  return make_error("unknown compression \"" + std::string(text) +
                    "\" (expected none, gzip or zstd)");
}

Compression detect(std::span<const std::byte> head) {
  if (starts_with(head, k_gzip_magic)) return Compression::gzip;
  if (starts_with(head, k_zstd_magic)) return Compression::zstd;
  return Compression::none;
}

Result<Peeked> peek(std::unique_ptr<ByteSource> src) {
  // A source may return fewer bytes than asked, so keep reading until the magic is
  // complete or the stream ends.
  std::array<std::byte, k_peek_bytes> head{};
  size_t have = 0;
  while (have < head.size()) {
    size_t n = TRY(src->read(std::span(head).subspan(have)));
    if (n == 0) break;
    have += n;
  }
  std::span<const std::byte> got(head.data(), have);
  std::string prefix(reinterpret_cast<const char*>(head.data()), have);
  return Peeked{detect(got), std::make_unique<PrefixedSource>(std::move(prefix), std::move(src))};
}

std::unique_ptr<ByteSource> decompress(std::unique_ptr<ByteSource> src, Compression c,
                                       uint64_t output_limit) {
  switch (c) {
    case Compression::none:
      return src;
    case Compression::gzip:
      return make_gzip_decoder(std::move(src), output_limit);
    case Compression::zstd:
      return make_zstd_decoder(std::move(src), output_limit);
  }
  return src;
}

std::unique_ptr<ByteSource> compress(std::unique_ptr<ByteSource> src, Compression c,
                                     Effort effort) {
  switch (c) {
    case Compression::none:
      return src;
    case Compression::gzip:
      return make_gzip_encoder(std::move(src), default_threads(), effort == Effort::fast ? 1 : 2);
    case Compression::zstd:
      return make_zstd_encoder(std::move(src), default_threads());
  }
  return src;
}

namespace {

// `none`: the bytes as they are.
class PlainSink final : public CompressingSink {
 public:
  explicit PlainSink(ByteSink& out) : m_out(out) {}
  Result<void> write(std::span<const std::byte> data) override { return m_out.write(data); }
  Result<void> finish() override { return {}; }

 private:
  ByteSink& m_out;
};

}  // namespace

std::unique_ptr<CompressingSink> compressing_sink(ByteSink& out, Compression c, Effort effort) {
  switch (c) {
    case Compression::none:
      break;
    case Compression::gzip:
      return make_gzip_sink(out, default_threads(), effort == Effort::fast ? 1 : 2);
    case Compression::zstd:
      return make_zstd_sink(out, default_threads());
  }
  return std::make_unique<PlainSink>(out);
}

}  // namespace pith::compress
