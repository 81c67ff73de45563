// The parallel gzip encoder: chunk boundaries, the same bytes whatever the thread count, one
// gzip member that real tools read; zstd's workers likewise.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>

#include "compress/compression.h"
#include "compress/deflate_blocks.h"
#include "compress/filters.h"
#include "shell.h"

namespace pith::compress {
namespace {

constexpr size_t k_chunk = k_gzip_chunk;

// Text with some noise, random bytes (stored blocks) and runs of zeros (long matches), so
// the chunks hold every kind of deflate block.
std::string sample(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n + 64);
  while (s.size() < n) {
    switch ((s.size() / 200000) % 3) {
      case 0:
        s += rng() % 4 == 0 ? std::string(1, static_cast<char>(rng())) : "the quick brown fox ";
        break;
      case 1:
        for (int i = 0; i < 64; ++i) s.push_back(static_cast<char>(rng()));
        break;
      default:
        s.append(64, '\0');
    }
  }
  s.resize(n);
  return s;
}

// Hands out its data in odd-sized pieces, as a network stream would.
class UnevenSource final : public ByteSource {
 public:
  explicit UnevenSource(std::string data) : m_data(std::move(data)) {}
  Result<size_t> read(std::span<std::byte> out) override {
    size_t n = std::min({out.size(), m_data.size() - m_pos, size_t{1} + (m_pos * 7919) % 70001});
    std::memcpy(out.data(), m_data.data() + m_pos, n);
    m_pos += n;
    return n;
  }

 private:
  std::string m_data;
  size_t m_pos = 0;
};

std::string gzip(std::unique_ptr<ByteSource> src, unsigned threads) {
  auto enc = make_gzip_encoder(std::move(src), threads);
  auto out = read_all(*enc, uint64_t{1} << 32);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out ? *out : std::string();
}

std::string gzip(const std::string& data, unsigned threads) {
  return gzip(std::make_unique<MemorySource>(data), threads);
}

std::string gunzip(const std::string& z) {
  auto dec = decompress(std::make_unique<MemorySource>(z), Compression::gzip);
  auto out = read_all(*dec, uint64_t{1} << 32);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out ? *out : std::string();
}

struct ScratchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("pith-gzip-encoder-test-" + std::to_string(::getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& data) const {
    auto p = (path / name).string();
    std::ofstream(p, std::ios::binary) << data;
    return p;
  }
};

TEST(GzipEncoder, SizesAroundChunkBoundariesRoundTripAlikeOnAnyThreadCount) {
  for (size_t n : {size_t{0}, size_t{1}, k_chunk - 1, k_chunk, k_chunk + 1, 3 * k_chunk + 17}) {
    std::string data = sample(n, static_cast<uint32_t>(n));
    std::string one = gzip(data, 1);
    EXPECT_EQ(gunzip(one), data) << n;
    for (unsigned threads : {2u, 3u, 8u})
      EXPECT_EQ(gzip(data, threads), one) << n << " " << threads;
  }
}

// Chunks are cut by offset in the input, not by how the source hands the bytes over.
TEST(GzipEncoder, SameBytesWhateverTheSourceReadSizes) {
  std::string data = sample(2 * k_chunk + 12345, 3);
  EXPECT_EQ(gzip(std::make_unique<UnevenSource>(data), 4), gzip(data, 1));
}

TEST(GzipEncoder, HeaderAndTrailerFields) {
  std::string data = sample(k_chunk + 5);
  std::string z = gzip(data, 2);
  // magic, deflate, no flags (no name), mtime 0, XFL 0, OS 255 "unknown".
  ASSERT_GT(z.size(), 18u);
  EXPECT_EQ(z.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  // ISIZE: the input size, little-endian.
  uint32_t isize = 0;
  for (int i = 0; i < 4; ++i) isize |= uint32_t(uint8_t(z[z.size() - 4 + i])) << (8 * i);
  EXPECT_EQ(isize, data.size());
  // Empty input: header, one final empty block, CRC 0 and ISIZE 0.
  EXPECT_EQ(gzip("", 4), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x03\x00", 12) +
                             std::string(8, '\0'));
}

// GNU gzip checks every CRC and length; Python's zlib (wbits 31) reads a single gzip member
// and reports whatever follows it, so several members would show up as unused bytes.
TEST(GzipEncoder, OneMemberThatGzipAndZlibRead) {
  ScratchDir dir;
  std::string data = sample(4 * k_chunk + 999, 5);
  std::string path = dir.file("data.gz", gzip(data, 3));
  int status = -1;
  test::run_capture("gzip -t " + test::shell_quote(path), &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(test::run_capture("zcat " + test::shell_quote(path), &status), data);
  EXPECT_EQ(status, 0);
  std::string py =
      "import sys, zlib; d = zlib.decompressobj(31); out = d.decompress(open(sys.argv[1], 'rb')"
      ".read()); print(d.eof, len(d.unused_data), len(out))";
  EXPECT_EQ(
      test::run_capture("python3 -c " + test::shell_quote(py) + " " + test::shell_quote(path)),
      "True 0 " + std::to_string(data.size()) + "\n");
}

// Effort::small (pith build's layers) is libdeflate level 2: smaller than level 1, read by
// gzip as the same bytes, the same whatever the threads.
TEST(GzipEncoder, SmallEffortIsLevelTwo) {
  ScratchDir dir;
  std::string data = sample(3 * k_chunk + 77, 12);
  auto level = [&](int l, unsigned threads) {
    auto out = read_all(*make_gzip_encoder(std::make_unique<MemorySource>(data), threads, l),
                        uint64_t{1} << 32);
    EXPECT_TRUE(out.ok());
    return out ? *out : std::string();
  };
  auto small =
      read_all(*compress(std::make_unique<MemorySource>(data), Compression::gzip, Effort::small),
               uint64_t{1} << 32);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(*small, level(2, 1));
  EXPECT_EQ(*small, level(2, 3));
  EXPECT_LT(small->size(), level(1, 2).size());
  int status = -1;
  EXPECT_EQ(test::run_capture("zcat " + test::shell_quote(dir.file("s.gz", *small)), &status),
            data);
  EXPECT_EQ(status, 0);
}

TEST(GzipEncoder, ReadsInTinyPieces) {
  std::string data = sample(k_chunk + 3000, 6);
  auto enc = make_gzip_encoder(std::make_unique<MemorySource>(data), 2);
  std::string z;
  std::byte buf[7];
  for (;;) {
    auto n = enc->read(buf);
    ASSERT_TRUE(n.ok()) << n.error().message;
    if (*n == 0) break;
    z.append(reinterpret_cast<const char*>(buf), *n);
  }
  EXPECT_EQ(z, gzip(data, 1));
}

// A source that fails part-way: the error comes out of the encoder, and stays.
class FailingSource final : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte> out) override {
    if (m_given >= 3 * k_chunk) return make_error("disk on fire");
    size_t n = std::min(out.size(), size_t{65536});
    std::memset(out.data(), 'x', n);
    m_given += n;
    return n;
  }

 private:
  size_t m_given = 0;
};

TEST(GzipEncoder, SourceErrorsPropagate) {
  for (unsigned threads : {1u, 4u}) {
    auto enc = make_gzip_encoder(std::make_unique<FailingSource>(), threads);
    auto out = read_all(*enc, uint64_t{1} << 32);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().message, "disk on fire");
    std::byte b[1];
    EXPECT_FALSE(enc->read(b).ok());
  }
}

// Dropping an encoder half-read stops its workers (no hang, no leak under the sanitizers).
TEST(GzipEncoder, DroppedMidStream) {
  auto enc = make_gzip_encoder(std::make_unique<MemorySource>(sample(6 * k_chunk)), 4);
  std::byte buf[1000];
  ASSERT_TRUE(enc->read(buf).ok());
  enc.reset();
}

// The join itself, on a stream another compressor (GNU gzip, zlib) wrote: the walker finds its
// final block and the trailing empty stored block lands on a byte boundary.
TEST(DeflateBlocks, WalksAndJoinsGnuGzipOutput) {
  ScratchDir dir;
  std::string data = sample(300000, 9);
  std::string z = test::run_capture("gzip -nc " + test::shell_quote(dir.file("d", data)));
  ASSERT_GT(z.size(), 18u);
  std::string raw = z.substr(10, z.size() - 18);
  auto bytes = std::as_bytes(std::span(raw.data(), raw.size()));
  auto blocks = walk_deflate_blocks(bytes);
  ASSERT_TRUE(blocks.ok()) << blocks.error().message;
  EXPECT_EQ((blocks->end_bit + 7) / 8, raw.size());
  std::vector<std::byte> run(bytes.begin(), bytes.end());
  run.resize(run.size() + k_join_slack);
  auto size = make_joinable(run, raw.size());
  ASSERT_TRUE(size.ok()) << size.error().message;
  EXPECT_LE(*size, raw.size() + k_join_slack);
  std::string tail(reinterpret_cast<const char*>(run.data()) + *size - 4, 4);
  EXPECT_EQ(tail, std::string("\x00\x00\xff\xff", 4));
  // Truncated or corrupt streams are errors, not crashes.
  EXPECT_FALSE(walk_deflate_blocks(bytes.first(bytes.size() / 2)).ok());
  EXPECT_FALSE(walk_deflate_blocks({}).ok());
  std::string bad = raw;
  bad[0] = static_cast<char>(bad[0] | 0x06);  // block type 3
  EXPECT_FALSE(walk_deflate_blocks(std::as_bytes(std::span(bad.data(), bad.size()))).ok());
}

TEST(ZstdEncoder, SameBytesWhateverTheWorkers) {
  // Jobs are 2 MiB: nine here.
  std::string data = sample(17 * k_chunk + 7, 11);
  auto zstd = [&](unsigned threads) {
    auto enc = make_zstd_encoder(std::make_unique<UnevenSource>(data), threads);
    return *read_all(*enc, uint64_t{1} << 32);
  };
  std::string one = zstd(1);
  EXPECT_EQ(zstd(2), one);
  EXPECT_EQ(zstd(5), one);
  auto back = read_all(*decompress(std::make_unique<MemorySource>(one), Compression::zstd),
                       uint64_t{1} << 32);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, data);
}

// Collects what a CompressingSink writes.
class StringSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string bytes;
};

// The sink form: `data` written in pieces of `piece(offset)` bytes, then finish().
std::string through_sink(Compression c, Effort effort, const std::string& data,
                         const std::function<size_t(size_t)>& piece) {
  StringSink out;
  auto sink = compressing_sink(out, c, effort);
  for (size_t at = 0; at < data.size();) {
    size_t n = std::min(data.size() - at, std::max<size_t>(piece(at), 1));
    EXPECT_TRUE(sink->write(std::string_view(data).substr(at, n)).ok());
    at += n;
  }
  EXPECT_TRUE(sink->finish().ok());
  return out.bytes;
}

std::string through_source(Compression c, Effort effort, const std::string& data) {
  auto enc = compress(std::make_unique<MemorySource>(data), c, effort);
  return *read_all(*enc, uint64_t{1} << 32);
}

// What `pith build` writes its layers through: the same bytes as the source form (so the
// same image digests), whatever the sizes of the writes, around every chunk boundary.
TEST(CompressingSink, SameBytesAsTheSourceFormWhateverTheWrites) {
  const std::vector<std::function<size_t(size_t)>> pieces = {
      [](size_t) { return std::numeric_limits<size_t>::max(); },  // one write
      [](size_t) { return size_t{512}; },                         // tar blocks
      [](size_t at) { return 1 + (at * 7919) % 70001; },          // uneven
      [](size_t) { return k_chunk; },                             // exactly chunks
  };
  for (size_t n : {size_t{0}, size_t{1}, k_chunk - 1, k_chunk, k_chunk + 1, 4 * k_chunk + 17}) {
    std::string data = sample(n, static_cast<uint32_t>(n) + 5);
    for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
      for (Effort e : {Effort::fast, Effort::small}) {
        std::string want = through_source(c, e, data);
        for (size_t p = 0; p < pieces.size(); ++p)
          EXPECT_EQ(through_sink(c, e, data, pieces[p]), want)
              << n << " " << name(c) << " " << int(e) << " pieces " << p;
      }
    }
  }
}

// A sink whose writes fail after `budget` bytes (a full disk).
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(size_t budget) : m_budget(budget) {}
  Result<void> write(std::span<const std::byte> data) override {
    if (data.size() > m_budget) return make_error("disk full");
    m_budget -= data.size();
    return {};
  }

 private:
  size_t m_budget;
};

TEST(CompressingSink, TheDestinationsErrorComesBackAndStays) {
  std::string data = sample(6 * k_chunk, 9);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    FailingSink out(100000);
    auto sink = compressing_sink(out, c, Effort::small);
    Result<void> r;
    for (size_t at = 0; at < data.size() && r.ok(); at += 65536)
      r = sink->write(std::string_view(data).substr(at, 65536));
    if (r.ok()) r = sink->finish();
    ASSERT_FALSE(r.ok()) << name(c);
    EXPECT_EQ(r.error().message, "disk full") << name(c);
  }
  // Destroyed half-way, without finish(): the workers stop.
  StringSink out;
  auto sink = compressing_sink(out, Compression::gzip, Effort::small);
  ASSERT_TRUE(sink->write(std::string_view(data)).ok());
  sink.reset();
}

}  // namespace
}  // namespace pith::compress
