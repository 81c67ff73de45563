// Round trips, determinism, corrupt and truncated input, peeking and detection.
#include "compress/compression.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "shell.h"
#include "test_paths.h"
#include "util/file.h"
#include "util/prefetch_source.h"
#include "util/sha256.h"

namespace pith::compress {
namespace {

std::unique_ptr<ByteSource> mem(std::string s) {
  return std::make_unique<MemorySource>(std::move(s));
}

Result<std::string> run(std::unique_ptr<ByteSource> s) {
  return read_all(*s, uint64_t{1} << 32);
}

Result<std::string> compressed(const std::string& data, Compression c) {
  return run(compress(mem(data), c));
}

Result<std::string> decompressed(const std::string& data, Compression c,
                                 uint64_t limit = k_default_output_limit) {
  return run(decompress(mem(data), c, limit));
}

// Some compressible text, some noise, and enough of it to span several internal buffers.
std::string sample(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if (rng() % 4 == 0)
      s.push_back(static_cast<char>(rng()));
    else
      s += "the quick brown fox ";
  }
  s.resize(n);
  return s;
}

// Reads one byte at a time, to exercise filters with the smallest possible buffers.
std::string read_bytewise(ByteSource& src) {
  std::string out;
  std::byte b[1];
  for (;;) {
    auto n = src.read(b);
    EXPECT_TRUE(n.ok()) << n.error().message;
    if (!n || *n == 0) return out;
    out.push_back(static_cast<char>(b[0]));
  }
}

// Scratch files for the command-line tools, removed when the test binary exits.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("pith-compress-test-" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::string tmp_file(const std::string& name, const std::string& data) {
  static ScratchDir scratch;
  const auto& dir = scratch.path;
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

std::string blob(const std::string& archive, const std::string& digest) {
  int status = 0;
  std::string out = test::run_capture(
      "tar -xOf " + test::shell_quote(test::corpus(archive)) + " blobs/sha256/" + digest, &status);
  EXPECT_EQ(status, 0);
  return out;
}

// diff_id of the one-README layer shared by dive's OCI test images.
constexpr const char* k_readme_diff_id =
    "356d5e7f4012d87cb1078ac1f480e90528eec4940ce45c50380321436db38758";

TEST(CompressNames, RoundTrip) {
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    auto p = parse(name(c));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, c);
  }
  EXPECT_EQ(*parse("uncompressed"), Compression::none);
  EXPECT_FALSE(parse("bzip2").ok());
}

TEST(CompressRoundTrip, AllKindsAllSizes) {
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{3} << 20}) {
      std::string data = sample(n, static_cast<uint32_t>(n));
      auto z = compressed(data, c);
      ASSERT_TRUE(z.ok()) << z.error().message;
      auto back = decompressed(*z, c);
      ASSERT_TRUE(back.ok()) << name(c) << " " << n << ": " << back.error().message;
      EXPECT_EQ(*back, data) << name(c) << " " << n;
    }
  }
}

TEST(CompressRoundTrip, BytewiseReads) {
  std::string data = sample(5000);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    auto enc = compress(mem(data), c);
    std::string z = read_bytewise(*enc);
    auto dec = decompress(mem(z), c);
    EXPECT_EQ(read_bytewise(*dec), data);
  }
}

// The decoders inflate read-ahead chunks in place (views), chunk boundaries anywhere.
TEST(CompressRoundTrip, FromReadAheadViews) {
  std::string data = sample(300000);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    auto z = compressed(data, c);
    ASSERT_TRUE(z.ok()) << z.error().message;
    for (size_t chunk : {size_t{1}, size_t{777}, size_t{1} << 20}) {
      auto back = run(decompress(std::make_unique<PrefetchSource>(mem(*z), chunk), c));
      ASSERT_TRUE(back.ok()) << name(c) << " " << chunk << ": " << back.error().message;
      EXPECT_EQ(*back, data) << name(c) << " " << chunk;
    }
    auto cut =
        run(decompress(std::make_unique<PrefetchSource>(mem(z->substr(0, z->size() - 5)), 777), c));
    EXPECT_FALSE(cut.ok()) << name(c);
  }
}

TEST(CompressGzip, DeterministicHeaderAndBytes) {
  std::string data = sample(200000);
  auto a = compressed(data, Compression::gzip);
  auto b = compressed(data, Compression::gzip);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  // magic, deflate, no flags (no name), mtime 0, xfl 0 (level 6), OS 255.
  ASSERT_GE(a->size(), 10u);
  EXPECT_EQ(a->substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
}

TEST(CompressGzip, ReadableByGnuGzip) {
  std::string data = sample(300000, 7);
  auto z = compressed(data, Compression::gzip);
  ASSERT_TRUE(z.ok());
  std::string path = tmp_file("data.gz", *z);
  int status = -1;
  std::string out = test::run_capture("gzip -dc " + test::shell_quote(path), &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, data);
}

TEST(CompressGzip, DecompressesGnuGzipOutputMultiMember) {
  std::string a = sample(70000, 2), b = sample(10, 3), c = sample(100000, 4);
  std::string pa = tmp_file("a", a), pb = tmp_file("b", b), pc = tmp_file("c", c);
  // Three members back to back, the way `cat x.gz y.gz` or pigz --independent produce them.
  std::string z = test::run_capture("gzip -nc " + test::shell_quote(pa) + "; gzip -9c " +
                                    test::shell_quote(pb) + "; gzip -1c " + test::shell_quote(pc));
  auto out = decompressed(z, Compression::gzip);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, a + b + c);
  auto dec = decompress(mem(z), Compression::gzip);
  EXPECT_EQ(read_bytewise(*dec), a + b + c);
}

// Hands out its data a few bytes at a time, as a slow network stream would.
class TrickleSource final : public ByteSource {
 public:
  explicit TrickleSource(std::string data) : m_data(std::move(data)) {}
  Result<size_t> read(std::span<std::byte> out) override {
    size_t n = std::min({out.size(), m_data.size() - m_pos, size_t{1} + m_pos % 7});
    std::memcpy(out.data(), m_data.data() + m_pos, n);
    m_pos += n;
    return n;
  }

 private:
  std::string m_data;
  size_t m_pos = 0;
};

TEST(CompressRoundTrip, TrickledInputAcrossMembersAndFrames) {
  std::string a = sample(5000, 11), b = sample(300, 12);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    std::string z = *compressed(a, c) + *compressed(b, c);
    auto out = run(decompress(std::make_unique<TrickleSource>(z), c));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(*out, a + b);
    auto cut = run(decompress(std::make_unique<TrickleSource>(z.substr(0, z.size() - 3)), c));
    EXPECT_FALSE(cut.ok());
  }
}

TEST(CompressGzip, OwnMembersConcatenated) {
  std::string a = sample(1000, 5), b = sample(2000, 6);
  std::string z = *compressed(a, Compression::gzip) + *compressed(b, Compression::gzip);
  EXPECT_EQ(*decompressed(z, Compression::gzip), a + b);
}

TEST(CompressGzip, TruncatedIsAnError) {
  std::string z = *compressed(sample(50000), Compression::gzip);
  for (size_t cut : {size_t{1}, size_t{5}, size_t{11}, z.size() / 2, z.size() - 8, z.size() - 1}) {
    auto out = decompressed(z.substr(0, cut), Compression::gzip);
    ASSERT_FALSE(out.ok()) << "cut at " << cut;
    EXPECT_EQ(out.error().message.rfind("gzip: ", 0), 0u) << out.error().message;
  }
  EXPECT_FALSE(decompressed("", Compression::gzip).ok());
}

TEST(CompressGzip, CorruptTrailerAndBodyAreErrors) {
  std::string data = sample(50000);
  std::string z = *compressed(data, Compression::gzip);
  std::string bad_crc = z;
  bad_crc[bad_crc.size() - 6] ^= 0x55;
  auto r1 = decompressed(bad_crc, Compression::gzip);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("gzip: "), std::string::npos);
  std::string bad_size = z;
  bad_size[bad_size.size() - 2] ^= 0x01;
  EXPECT_FALSE(decompressed(bad_size, Compression::gzip).ok());
  std::string bad_body = z;
  for (size_t i = 20; i < 60; ++i) bad_body[i] = static_cast<char>(0xff);
  EXPECT_FALSE(decompressed(bad_body, Compression::gzip).ok());
  EXPECT_FALSE(decompressed(z + "garbage", Compression::gzip).ok());
  EXPECT_FALSE(decompressed("not gzip at all", Compression::gzip).ok());
}

TEST(CompressGzip, OutputLimit) {
  std::string z = *compressed(std::string(1 << 20, 'a'), Compression::gzip);
  auto out = decompressed(z, Compression::gzip, 1000);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("limit"), std::string::npos);
  EXPECT_TRUE(decompressed(z, Compression::gzip, 1 << 20).ok());
}

TEST(CompressZstd, MultiFrameTruncatedCorruptAndLimit) {
  std::string a = sample(100000, 8), b = sample(3, 9);
  std::string za = *compressed(a, Compression::zstd), zb = *compressed(b, Compression::zstd);
  EXPECT_EQ(*decompressed(za + zb, Compression::zstd), a + b);
  EXPECT_EQ(*compressed(a, Compression::zstd), za);
  for (size_t cut : {size_t{1}, size_t{4}, za.size() / 2, za.size() - 1}) {
    auto out = decompressed(za.substr(0, cut), Compression::zstd);
    ASSERT_FALSE(out.ok()) << cut;
    EXPECT_EQ(out.error().message.rfind("zstd: ", 0), 0u);
  }
  std::string bad = za;
  bad[bad.size() - 2] ^= 0x10;  // inside the content checksum
  EXPECT_FALSE(decompressed(bad, Compression::zstd).ok());
  EXPECT_FALSE(decompressed(za + "junk", Compression::zstd).ok());
  EXPECT_FALSE(decompressed(za, Compression::zstd, 10).ok());
  EXPECT_FALSE(decompressed("", Compression::zstd).ok());
}

TEST(CompressZstd, ReadableByZstdCli) {
  if (std::system("command -v zstd >/dev/null 2>&1") != 0) GTEST_SKIP() << "no zstd CLI";
  std::string data = sample(100000, 10);
  std::string path = tmp_file("data.zst", *compressed(data, Compression::zstd));
  int status = -1;
  EXPECT_EQ(test::run_capture("zstd -dc " + test::shell_quote(path), &status), data);
  EXPECT_EQ(status, 0);
}

TEST(CompressPeek, PreservesEveryByte) {
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    std::string z = *compressed(sample(10000), c);
    auto p = peek(mem(z));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->compression, c);
    EXPECT_EQ(*run(std::move(p->stream)), z);
  }
  for (std::string tiny : {std::string(), std::string("\x1f"), std::string("\x1f\x8b", 2)}) {
    auto p = peek(mem(tiny));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*run(std::move(p->stream)), tiny);
  }
  EXPECT_EQ(peek(mem("\x1f\x8b")).value().compression, Compression::gzip);
}

TEST(CompressDetect, Magic) {
  auto d = [](std::string s) { return detect(std::as_bytes(std::span(s.data(), s.size()))); };
  EXPECT_EQ(d("\x1f\x8b\x08"), Compression::gzip);
  EXPECT_EQ(d("\x28\xb5\x2f\xfd\x00"), Compression::zstd);
  EXPECT_EQ(d("\x28\xb5\x2f"), Compression::none);
  EXPECT_EQ(d(""), Compression::none);
  EXPECT_EQ(d("ustar"), Compression::none);
}

TEST(CompressCorpus, PlainTarsNamedAfterCompressionAreNotCompressed) {
  for (const char* f : {"dive/test-gzip-image.tar", "dive/test-zstd-image.tar",
                        "dive/test-uncompressed-image.tar", "dive/test-estargz-image.tar"}) {
    auto src = std::make_unique<MemorySource>(*read_file(test::corpus(f), 1 << 20));
    auto p = peek(std::move(src));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->compression, Compression::none) << f;
  }
}

// The OCI siblings hold the same README layer compressed as named; every decompression must
// give the uncompressed layer whose digest is the image's diff_id.
TEST(CompressCorpus, OciLayersDecompressToTheDiffId) {
  struct Case {
    const char* archive;
    const char* layer;
    Compression expect;
  };
  for (const Case& c :
       {Case{"dive/test-oci-gzip-image.tar",
             "9aef42427209c9a180c61bb36b0b09681cbe3d3ff6409408bde0eb17ec1ba0cc", Compression::gzip},
        Case{"dive/test-oci-zstd-image.tar",
             "0308a5d81b28debb7e24a609dcdfca5fdb64c908bda38b0e4774a7d017a67297", Compression::zstd},
        Case{"dive/test-oci-uncompressed-image.tar", k_readme_diff_id, Compression::none}}) {
    auto p = peek(mem(blob(c.archive, c.layer)));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->compression, c.expect) << c.archive;
    auto tar = run(decompress(std::move(p->stream), p->compression));
    ASSERT_TRUE(tar.ok()) << tar.error().message;
    EXPECT_EQ(Sha256::hex_of(*tar), k_readme_diff_id) << c.archive;
  }
}

TEST(CompressCorpus, EstargzIsMultiMemberGzip) {
  std::string z = blob("dive/test-oci-estargz-image.tar",
                       "faae588a698ab938e22085e54a6ee1dcab88eca70618c8cca18cd1169ce7cb5a");
  EXPECT_EQ(peek(mem(z)).value().compression, Compression::gzip);
  auto tar = decompressed(z, Compression::gzip);
  ASSERT_TRUE(tar.ok()) << tar.error().message;
  int status = -1;
  std::string path = tmp_file("estargz.gz", z);
  EXPECT_EQ(test::run_capture("gzip -dc " + test::shell_quote(path), &status), *tar);
  EXPECT_EQ(status, 0);
  EXPECT_NE(tar->find("README.md"), std::string::npos);
}

}  // namespace
}  // namespace pith::compress
