#include "util/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

namespace pith {

namespace {

uintptr_t round_down(uintptr_t v) {
  return v / HugeBuffer::k_unit * HugeBuffer::k_unit;
}
uintptr_t round_up(uintptr_t v) {
  return round_down(v + HugeBuffer::k_unit - 1);
}

}  // namespace

HugeBuffer::HugeBuffer(size_t size) : m_size(size) {
  if (size == 0) return;
  if (size > SIZE_MAX - 2 * k_unit) throw std::bad_alloc();
  m_mapped = round_up(size);
  // mmap aligns to a page only: map one unit more, then give back the ends around the aligned
  // part (a huge page needs a whole aligned 2 MiB inside one mapping).
  size_t over = m_mapped + k_unit;
  void* map = ::mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  auto base = reinterpret_cast<uintptr_t>(map);
  uintptr_t aligned = round_up(base);
  if (aligned > base) ::munmap(map, aligned - base);
  if (uintptr_t end = base + over, used = aligned + m_mapped; end > used) {
    ::munmap(reinterpret_cast<void*>(used), end - used);
  }
  m_data = reinterpret_cast<std::byte*>(aligned);
  // Advice only: without huge pages (THP "never", or none free) the memory is ordinary.
  (void)::madvise(m_data, m_mapped, MADV_HUGEPAGE);
}

HugeBuffer::~HugeBuffer() {
  if (m_data) ::munmap(m_data, m_mapped);
}

HugeBuffer::HugeBuffer(HugeBuffer&& o) noexcept
    : m_data(std::exchange(o.m_data, nullptr)),
      m_size(std::exchange(o.m_size, 0)),
      m_mapped(std::exchange(o.m_mapped, 0)) {}

HugeBuffer& HugeBuffer::operator=(HugeBuffer&& o) noexcept {
  if (this != &o) {
    if (m_data) ::munmap(m_data, m_mapped);
    m_data = std::exchange(o.m_data, nullptr);
    m_size = std::exchange(o.m_size, 0);
    m_mapped = std::exchange(o.m_mapped, 0);
  }
  return *this;
}

void prepare_heap_in_huge_pages(size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) return;
  auto begin = reinterpret_cast<uintptr_t>(p);
  uintptr_t first = round_up(begin), last = round_down(begin + bytes);
  // Only whole aligned units can be huge pages; the heap's first (unaligned) part stays small.
  if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  std::free(p);
}

namespace {

// Before each block of huge_pages_malloc: the HugeBuffer that owns it (empty when malloc's).
constexpr size_t k_header = 32;
static_assert(sizeof(HugeBuffer) <= k_header && alignof(HugeBuffer) <= 16);
constexpr size_t k_huge_from = 256 << 10;

}  // namespace

void* huge_pages_malloc(size_t size) {
  if (size > SIZE_MAX - k_header - HugeBuffer::k_unit) return nullptr;
  if (size < k_huge_from) {
    void* p = std::malloc(k_header + size);
    if (!p) return nullptr;
    new (p) HugeBuffer();
    return static_cast<std::byte*>(p) + k_header;
  }
  try {
    HugeBuffer buffer(k_header + size);
    std::byte* block = buffer.data();
    new (block) HugeBuffer(std::move(buffer));  // the mapping holds its own owner
    return block + k_header;
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void huge_pages_free(void* p) {
  if (!p) return;
  auto* header = reinterpret_cast<HugeBuffer*>(static_cast<std::byte*>(p) - k_header);
  if (!header->data()) {
    header->~HugeBuffer();
    std::free(header);
    return;
  }
  HugeBuffer owner(std::move(*header));  // unmaps the block, header included, as it goes
  header->~HugeBuffer();
}

}  // namespace pith
