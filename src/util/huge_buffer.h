// A large buffer that is cheap to touch for the first time: its own mapping, aligned to and
// sized in 2 MiB, with transparent huge pages asked for (MADV_HUGEPAGE).
//
// Why: a process's fresh memory is paid for page by page when first written (a fault and a
// zeroed page). On the VMs pith's builds and CI run on a 4 KiB page costs ~12 µs (a hypervisor
// exit each), so the 1 MiB chunks of a parallel gzip cost ~3 ms each to fill; measured here,
// writing 16 MiB took 49 ms in 4 KiB pages and 1 ms in 2 MiB ones. Where the kernel has no huge
// page to give (THP "never", fragmented memory) the buffer is ordinary memory, as before.
// For buffers of a megabyte or more that live a while (reused), not for small allocations: each
// buffer takes at least 2 MiB of address space and, once touched, of memory.
#pragma once

#include <cstddef>

namespace pith {

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

}  // namespace pith
