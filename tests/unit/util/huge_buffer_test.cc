#include "util/huge_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

namespace pith {
namespace {

// The mapping of `p` in /proc/self/smaps: its size in kB and whether MADV_HUGEPAGE is on it
// ("hg" in VmFlags); {0, false} when no mapping starts at p.
std::pair<uint64_t, bool> mapping_at(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  char start[32];
  std::snprintf(start, sizeof(start), "%lx-",
                static_cast<unsigned long>(reinterpret_cast<uintptr_t>(p)));
  bool in = false;
  uint64_t kb = 0;
  while (std::getline(smaps, line)) {
    if (line.rfind(start, 0) == 0) {
      in = true;
    } else if (in && line.rfind("Size:", 0) == 0) {
      kb = std::stoull(line.substr(5));
    } else if (in && line.rfind("VmFlags:", 0) == 0) {
      return {kb, line.find(" hg") != std::string::npos};
    }
  }
  return {0, false};
}

TEST(HugeBuffer, AlignedWholeUnitsAdvisedAndWritable) {
  HugeBuffer b(3 << 20);
  ASSERT_NE(b.data(), nullptr);
  EXPECT_EQ(b.size(), size_t{3} << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % HugeBuffer::k_unit, 0u);
  // Exactly two units mapped (the over-mapping given back on both sides), huge pages asked for.
  auto [kb, advised] = mapping_at(b.data());
  EXPECT_EQ(kb, 4096u);
  EXPECT_TRUE(advised);
  std::memset(b.data(), 0xab, b.size());
  EXPECT_EQ(b.data()[b.size() - 1], std::byte{0xab});
}

TEST(HugeBuffer, FreshMemoryReadsZero) {
  HugeBuffer b(HugeBuffer::k_unit);
  for (size_t i = 0; i < b.size(); i += 4096) ASSERT_EQ(b.data()[i], std::byte{0});
}

TEST(HugeBuffer, MovedOwnershipAndUnmapped) {
  HugeBuffer a(1 << 20);
  std::byte* p = a.data();
  a.data()[0] = std::byte{7};
  HugeBuffer b(std::move(a));
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.data(), p);
  EXPECT_EQ(b.data()[0], std::byte{7});
  HugeBuffer c;
  c = std::move(b);
  EXPECT_EQ(c.data(), p);
  c = HugeBuffer();
  EXPECT_EQ(mapping_at(p).first, 0u);  // unmapped with its last owner
}

TEST(HugeBuffer, EmptyHasNoMapping) {
  HugeBuffer b(0);
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_EQ(b.size(), 0u);
}

}  // namespace
}  // namespace pith
