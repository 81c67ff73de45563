// Memory that is cheap to touch for the first time: transparent huge pages asked for
// (MADV_HUGEPAGE) on large buffers and on the main heap.
//
// Why: a process's fresh memory is paid for page by page when first written (a fault and a
// zeroed page). On the VMs pith's builds and CI run on, a 4 KiB page costs ~12 µs (a hypervisor
// exit each), so the 1 MiB chunks of a parallel gzip cost ~3 ms each to fill; measured there,
// writing 16 MiB took 49 ms in 4 KiB pages and 1 ms in 2 MiB ones. Where the kernel has no huge
// page to give (THP "never", fragmented memory) the memory is ordinary, as before.
#pragma once

#include <cstddef>

namespace pith {

// A buffer of its own mapping, aligned to and sized in 2 MiB, with huge pages asked for. For
// buffers of a megabyte or more that live a while (reused), not for small allocations: each
// takes at least 2 MiB of address space and, once touched, of memory.
class HugeBuffer {
 public:
  HugeBuffer() = default;
  // `size` bytes, uninitialised (zero until written: fresh pages); throws std::bad_alloc when
  // the address space is exhausted, as new would.
  explicit HugeBuffer(size_t size);
  ~HugeBuffer();
  HugeBuffer(HugeBuffer&& o) noexcept;
  HugeBuffer& operator=(HugeBuffer&& o) noexcept;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  std::byte* data() const { return m_data; }
  size_t size() const { return m_size; }

  // The unit of a mapping (the size of an x86-64 or arm64 huge page with 4 KiB pages).
  static constexpr size_t k_unit = size_t{2} << 20;

 private:
  std::byte* m_data = nullptr;
  size_t m_size = 0;
  size_t m_mapped = 0;  // m_size rounded up to k_unit: what is unmapped
};

// Grows the main heap (glibc's main arena, which the main thread allocates from) by `bytes`
// at once, asks for huge pages on it and frees it again, so that the main thread's next
// allocations (a database read whole, its parsed records) land on huge pages. Called once by
// main, after mallopt has set the trim threshold above `bytes` (else the free gives it back)
// and the mmap threshold above it (else it is a mapping of its own, not the heap).
void prepare_heap_in_huge_pages(size_t bytes);

// malloc and free for libraries that take an allocator (libdeflate): allocations of 256 KiB or
// more are HugeBuffers, smaller ones malloc's. Each allocation carries a header, so
// huge_pages_free takes only the pointer.
void* huge_pages_malloc(size_t size);
void huge_pages_free(void* p);

}  // namespace pith
