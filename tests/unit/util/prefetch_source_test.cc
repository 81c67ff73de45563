// PrefetchSource delivers exactly the inner stream (copied or lent as views), passes its error on
// after the bytes that preceded it, and can be destroyed mid-stream.
#include "util/prefetch_source.h"

#include <gtest/gtest.h>

#include <random>

namespace pith {
namespace {

std::string random_bytes(size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Yields `data`, then fails.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(std::string data) : m_data(std::move(data)) {}
  Result<size_t> read(std::span<std::byte> out) override {
    size_t n = TRY(m_data.read(out));
    if (n == 0) return make_error("disk on fire");
    return n;
  }

 private:
  MemorySource m_data;
};

TEST(PrefetchSource, DeliversTheWholeStream) {
  for (size_t size : {0u, 1u, 4095u, 4096u, 1000000u}) {
    std::string data = random_bytes(size);
    PrefetchSource src(std::make_unique<MemorySource>(data), 4096, 3);
    auto got = read_all(src, 1 << 30);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, data) << size;
    std::byte b{};
    EXPECT_EQ(*src.read(std::span(&b, 1)), 0u);  // stays at the end
  }
}

TEST(PrefetchSource, PassesErrorsOnAfterTheData) {
  std::string data = random_bytes(10000);
  PrefetchSource src(std::make_unique<FailingSource>(data), 1024, 2);
  std::string got;
  std::vector<std::byte> buf(700);
  for (;;) {
    auto n = src.read(buf);
    if (!n) {
      EXPECT_EQ(n.error().message, "disk on fire");
      break;
    }
    ASSERT_NE(*n, 0u);
    got.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  EXPECT_EQ(got, data);
}

// Reads the stream through views, checking each is non-empty and within one chunk.
Result<std::string> read_views(ByteSource& src, size_t chunk) {
  std::string out;
  std::vector<std::byte> scratch(16);
  for (;;) {
    auto view = TRY(src.read_view(scratch));
    if (view.empty()) return out;
    EXPECT_LE(view.size(), chunk);
    out.append(reinterpret_cast<const char*>(view.data()), view.size());
  }
}

TEST(PrefetchSource, LendsTheWholeStreamAsViews) {
  // Sizes around the chunk size: an exact multiple ends with an empty fill.
  for (size_t size : {0u, 1u, 4095u, 4096u, 8192u, 1000000u}) {
    std::string data = random_bytes(size);
    PrefetchSource src(std::make_unique<MemorySource>(data), 4096, 3);
    auto got = read_views(src, 4096);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, data) << size;
    std::vector<std::byte> scratch(16);
    EXPECT_TRUE(src.read_view(scratch)->empty());  // stays at the end
  }
}

TEST(PrefetchSource, MixesCopiesAndViews) {
  std::string data = random_bytes(50000);
  PrefetchSource src(std::make_unique<MemorySource>(data), 4096, 2);
  std::string got;
  std::vector<std::byte> buf(1000);
  for (bool copy = true;; copy = !copy) {
    if (copy) {
      size_t n = *src.read(buf);
      if (n == 0) break;
      got.append(reinterpret_cast<const char*>(buf.data()), n);
    } else {
      auto view = *src.read_view(buf);
      if (view.empty()) break;
      got.append(reinterpret_cast<const char*>(view.data()), view.size());
    }
  }
  EXPECT_EQ(got, data);
}

TEST(PrefetchSource, ViewsPassErrorsOnAfterTheData) {
  std::string data = random_bytes(10000);
  PrefetchSource src(std::make_unique<FailingSource>(data), 1024, 2);
  std::string got;
  std::vector<std::byte> scratch(16);
  for (;;) {
    auto view = src.read_view(scratch);
    if (!view) {
      EXPECT_EQ(view.error().message, "disk on fire");
      break;
    }
    ASSERT_FALSE(view->empty());
    got.append(reinterpret_cast<const char*>(view->data()), view->size());
  }
  EXPECT_EQ(got, data);
  EXPECT_FALSE(src.read_view(scratch));  // the error stays
}

TEST(PrefetchSource, StopsWhenDestroyedEarly) {
  std::string data = random_bytes(1 << 20);
  for (int i = 0; i < 20; ++i) {
    PrefetchSource src(std::make_unique<MemorySource>(data), 1024, 2);
    std::vector<std::byte> buf(100);
    ASSERT_TRUE(src.read(buf));
  }  // the reader thread is blocked on a full queue; destruction must not hang
}

}  // namespace
}  // namespace pith
