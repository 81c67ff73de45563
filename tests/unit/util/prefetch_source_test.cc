// PrefetchSource delivers exactly the inner stream, passes its error on after the bytes that
// preceded it, and can be destroyed mid-stream.
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
