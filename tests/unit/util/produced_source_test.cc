// produced_source delivers exactly what the producer wrote (in writes of any size), passes its
// error on after the bytes before it, and can be destroyed while the producer still writes.
#include "util/produced_source.h"

#include <gtest/gtest.h>

#include <random>

namespace pith {
namespace {

std::string random_bytes(size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Writes `data` in pieces of `piece` bytes.
Producer writes_of(const std::string& data, size_t piece) {
  return [data, piece](ByteSink& out) -> Result<void> {
    for (size_t at = 0; at < data.size(); at += piece) {
      std::string_view part = std::string_view(data).substr(at, piece);
      TRY(out.write(std::as_bytes(std::span(part.data(), part.size()))));
    }
    return {};
  };
}

TEST(ProducedSource, DeliversWhatWasWritten) {
  for (size_t size : {0u, 1u, 4095u, 4096u, 4097u, 1000000u}) {
    for (size_t piece : {1u, 1000u, 4096u, 70000u}) {
      if (size > 100000 && piece == 1) continue;
      std::string data = random_bytes(size);
      auto src = produced_source(writes_of(data, piece), 4096, 2);
      auto got = read_all(*src, 1 << 30);
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(*got, data) << size << " in writes of " << piece;
    }
  }
}

TEST(ProducedSource, TheProducersErrorComesAfterItsBytes) {
  std::string data = random_bytes(10000);
  auto src = produced_source(
      [&](ByteSink& out) -> Result<void> {
        TRY(writes_of(data, 999)(out));
        return make_error("disk on fire");
      },
      4096, 2);
  std::string got(10000, '\0');
  size_t at = 0;
  for (;;) {
    auto n = src->read(std::as_writable_bytes(std::span(got.data() + at, got.size() - at)));
    if (!n) {
      EXPECT_EQ(n.error().message, "disk on fire");
      break;
    }
    ASSERT_NE(*n, 0u) << "end of stream without the error";
    at += *n;
  }
  EXPECT_EQ(at, data.size());
  EXPECT_EQ(got, data);
}

TEST(ProducedSource, DestroyedEarlyStopsTheProducer) {
  bool stopped = false;
  {
    auto src = produced_source(
        [&](ByteSink& out) -> Result<void> {
          std::string chunk(4096, 'x');
          for (int i = 0; i < 1'000'000; ++i) {
            auto r = out.write(std::as_bytes(std::span(chunk.data(), chunk.size())));
            if (!r) {
              stopped = true;
              return r;
            }
          }
          return {};
        },
        4096, 2);
    std::byte b[10];
    ASSERT_TRUE(src->read(b));
  }  // joins the producer, which must not write a million chunks first
  EXPECT_TRUE(stopped);
}

}  // namespace
}  // namespace pith
