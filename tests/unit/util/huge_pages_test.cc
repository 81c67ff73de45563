#include "util/huge_pages.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace pith {
namespace {

struct Mapping {
  uintptr_t start = 0;
  uint64_t kb = 0;       // Size:
  bool advised = false;  // "hg" in VmFlags: MADV_HUGEPAGE is on it
};

// The mapping of /proc/self/smaps that holds address `p`; start 0 when none does.
Mapping mapping_of(const void* p) {
  auto at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping m;
  bool in = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    // A mapping's line starts "begin-end "; the others ("Size:", "AnonHugePages:") do not.
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      in = begin <= at && at < end;
      if (in) m.start = begin;
    } else if (in && line.rfind("Size:", 0) == 0) {
      m.kb = std::stoull(line.substr(5));
    } else if (in && line.rfind("VmFlags:", 0) == 0) {
      m.advised = line.find(" hg") != std::string::npos;
      return m;
    }
  }
  return {};
}

TEST(HugeBuffer, AlignedWholeUnitsAdvisedAndWritable) {
  HugeBuffer b(3 << 20);
  ASSERT_NE(b.data(), nullptr);
  EXPECT_EQ(b.size(), size_t{3} << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % HugeBuffer::k_unit, 0u);
  // Exactly two units mapped (the over-mapping given back on both sides), huge pages asked for.
  Mapping m = mapping_of(b.data());
  EXPECT_EQ(m.start, reinterpret_cast<uintptr_t>(b.data()));
  EXPECT_EQ(m.kb, 4096u);
  EXPECT_TRUE(m.advised);
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
  EXPECT_EQ(mapping_of(p).start, 0u);  // unmapped with its last owner
}

TEST(HugeBuffer, EmptyHasNoMapping) {
  HugeBuffer b(0);
  EXPECT_EQ(b.data(), nullptr);
  EXPECT_EQ(b.size(), 0u);
}

// What libdeflate is given: large blocks in advised mappings of their own, small ones from
// malloc, each freed by its pointer alone.
TEST(HugePagesMalloc, LargeBlocksAdvisedSmallOnesFromMalloc) {
  void* large = huge_pages_malloc(668295);  // a libdeflate compressor at level 2
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large) % 16, 0u);
  Mapping m = mapping_of(large);
  EXPECT_TRUE(m.advised);
  EXPECT_EQ(m.kb, 2048u);
  std::memset(large, 1, 668295);
  void* small = huge_pages_malloc(1000);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small) % 16, 0u);
  std::memset(small, 2, 1000);
  huge_pages_free(small);
  huge_pages_free(large);
  EXPECT_EQ(mapping_of(large).start, 0u);
  huge_pages_free(nullptr);
}

// As main sets it up: the heap grown, advised, freed; the next large allocation of this
// thread lands on the advised part.
TEST(HugePagesHeap, NextAllocationsLandOnAdvisedHeap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator is not glibc's heap: mallopt and the heap do not apply";
#endif
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  prepare_heap_in_huge_pages(16 << 20);
  void* p = std::malloc(6 << 20);
  ASSERT_NE(p, nullptr);
  // Past the first unit: the heap's unaligned start is not advised.
  EXPECT_TRUE(mapping_of(static_cast<char*>(p) + (3 << 20)).advised);
  std::free(p);
}

}  // namespace
}  // namespace pith
