// Digest parsing and the verifying stream filter.
#include "oci/digest.h"

#include <gtest/gtest.h>

#include "util/prefetch_source.h"
#include "util/sha256.h"

namespace pith::oci {
namespace {

const std::string k_hello_sha256 =
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // "hello"

TEST(Digest, ParsesWellFormedDigests) {
  auto d = Digest::parse("sha256:" + k_hello_sha256);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->algorithm, "sha256");
  EXPECT_EQ(d->hex, k_hello_sha256);
  EXPECT_EQ(d->str(), "sha256:" + k_hello_sha256);
  EXPECT_EQ(d->short_str(), "sha256:2cf24dba5fb0");
  EXPECT_TRUE(Digest::parse("sha512:" + std::string(128, 'a')));
}

TEST(Digest, RejectsEverythingElse) {
  const std::string hex = k_hello_sha256;
  for (const std::string& bad :
       {std::string(""), std::string("sha256"), std::string("sha256:"), "sha256:" + hex + "0",
        "sha256:" + hex.substr(1), "SHA256:" + hex, "sha256:" + std::string(64, 'A'),
        "sha256:" + std::string(63, 'a') + "g", "sha384:" + std::string(96, 'a'), "sha512:" + hex,
        "md5:" + hex, " sha256:" + hex, "sha256:" + hex + "\n", "sha256:../../" + hex.substr(6),
        "sha256:" + std::string(63, 'a') + '\0'}) {
    auto d = Digest::parse(bad);
    EXPECT_FALSE(d) << bad;
    if (!d) {
      EXPECT_EQ(d.error().message.rfind("invalid digest \"", 0), 0u) << d.error().message;
    }
  }
  EXPECT_EQ(Digest::parse("sha256:xyz").error().message, "invalid digest \"sha256:xyz\"");
  // Hostile text is shortened and made printable in the message.
  EXPECT_LT(Digest::parse(std::string(10000, 'x')).error().message.size(), 120u);
}

TEST(Digest, OrdersAndCompares) {
  Digest a = Digest::sha256_of("a");
  Digest b = Digest::sha256_of("b");
  EXPECT_EQ(a, Digest::sha256_of("a"));
  EXPECT_NE(a, b);
  EXPECT_EQ(Digest::sha256_of("hello").hex, k_hello_sha256);
}

Result<std::string> read_verified(const std::string& data, const Digest& d,
                                  std::optional<uint64_t> size) {
  auto src = verifying(std::make_unique<MemorySource>(data), d, size, "blob " + d.short_str());
  return read_all(*src, 1 << 20);
}

TEST(Verifying, PassesMatchingContent) {
  Digest d = Digest::sha256_of("hello");
  auto r = read_verified("hello", d, 5);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "hello");
  EXPECT_TRUE(read_verified("hello", d, std::nullopt));
}

TEST(Verifying, FailsOnDigestMismatchAtEnd) {
  Digest d = Digest::sha256_of("hellO");
  auto r = read_verified("hello", d, 5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "blob " + d.short_str() + ": digest mismatch: got sha256:" + k_hello_sha256);
}

TEST(Verifying, FailsAsSoonAsTooManyBytesArrive) {
  Digest d = Digest::sha256_of("hello");
  auto src = verifying(std::make_unique<MemorySource>("hello world"), d, 5, "blob x");
  std::vector<std::byte> buf(3);
  ASSERT_EQ(*src->read(buf), 3u);
  auto r = src->read(buf);  // 6 bytes > 5: refused before the stream ends
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "blob x: size mismatch: expected 5 bytes, got more");
  EXPECT_FALSE(src->read(buf));  // and it stays failed
}

TEST(Verifying, FailsOnShortStream) {
  Digest d = Digest::sha256_of("hello");
  auto r = read_verified("hell", d, 5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "blob " + d.short_str() + ": size mismatch: expected 5 bytes, got 4");
}

TEST(Verifying, VerifiesSha512) {
  Sha512 h;
  std::string data = "hello";
  h.update(std::as_bytes(std::span(data.data(), data.size())));
  Digest d = *Digest::parse("sha512:" + h.hex_digest());
  EXPECT_EQ(d.hex.substr(0, 16), "9b71d224bd62f378");
  EXPECT_TRUE(read_verified("hello", d, 5));
  EXPECT_FALSE(read_verified("hellO", d, 5));
}

TEST(Verifying, EmptyBlob) {
  Digest d = Digest::sha256_of("");
  EXPECT_EQ(d.str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(read_verified("", d, 0));
  EXPECT_FALSE(read_verified("x", d, 0));
}

// Views lent by a read-ahead source are hashed as they pass, as copies are.
Result<std::string> read_verified_views(const std::string& data, const Digest& d,
                                        std::optional<uint64_t> size) {
  auto src = verifying(std::make_unique<PrefetchSource>(std::make_unique<MemorySource>(data), 3), d,
                       size, "blob x");
  std::string out;
  std::vector<std::byte> scratch(2);
  for (;;) {
    auto view = TRY(src->read_view(scratch));
    if (view.empty()) return out;
    out.append(reinterpret_cast<const char*>(view.data()), view.size());
  }
}

TEST(Verifying, VerifiesViews) {
  Digest d = Digest::sha256_of("hello world");
  auto r = read_verified_views("hello world", d, 11);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "hello world");
  auto bad = read_verified_views("hello World", d, 11);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "blob x: digest mismatch: got sha256:" + Digest::sha256_of("hello World").hex);
  auto longer = read_verified_views("hello world!", d, 11);
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().message, "blob x: size mismatch: expected 11 bytes, got more");
}

}  // namespace
}  // namespace pith::oci
