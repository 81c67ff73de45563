#include "util/huge_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace pith {

HugeBuffer::HugeBuffer(size_t size) : m_size(size) {
  if (size == 0) return;
  if (size > SIZE_MAX - 2 * k_unit) throw std::bad_alloc();
  m_mapped = (size + k_unit - 1) / k_unit * k_unit;
  // mmap aligns to a page only: map one unit more, then give back the ends around the aligned
  // part (a huge page needs a whole aligned 2 MiB inside one mapping).
  size_t over = m_mapped + k_unit;
  void* map = ::mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  auto base = reinterpret_cast<uintptr_t>(map);
  uintptr_t aligned = (base + k_unit - 1) / k_unit * k_unit;
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

}  // namespace pith
