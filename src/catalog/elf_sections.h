// A bounds-checked ELF reader over bytes in memory: sections, loadable segments, symbols. Enough
// for the Go and Rust catalogers; every offset in the file is treated as hostile.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::catalog {

struct ElfSection {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t entsize = 0;
};

struct ElfSegment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

struct ElfSymbol {
  std::string_view name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint16_t section_index = 0;
};

inline constexpr uint32_t k_elf_nobits = 8;  // SHT_NOBITS: occupies no file bytes
inline constexpr uint32_t k_elf_pt_load = 1;
inline constexpr uint32_t k_elf_pf_x = 1;
inline constexpr uint32_t k_elf_pf_w = 2;

bool has_elf_magic(std::string_view first_bytes);

class ElfFile {
 public:
  // Validates the header and reads the section and program header tables. Views into
  // `bytes` are kept: the buffer must outlive the ElfFile.
  static Result<ElfFile> parse(std::string_view bytes);

  bool is_64() const { return m_is_64; }
  bool big_endian() const { return m_big_endian; }
  const std::vector<ElfSection>& sections() const { return m_sections; }
  const std::vector<ElfSegment>& segments() const { return m_segments; }
  const ElfSection* find_section(std::string_view name) const;

  // The section's file bytes; empty for SHT_NOBITS; an error when it lies outside the file.
  Result<std::string_view> section_data(const ElfSection& section) const;

  // Up to `size` bytes mapped at virtual address `addr` by a PT_LOAD segment, cut short where
  // that segment's file image ends (as Go's debug/buildinfo reads memory); empty if unmapped.
  std::string_view read_vaddr(uint64_t addr, uint64_t size) const;

  // Entries of .symtab (the null symbol 0 skipped); empty when the binary is stripped.
  Result<std::vector<ElfSymbol>> symbols() const;

  // An unsigned integer of 1, 2, 4 or 8 bytes at the start of `b`, in the file's byte order;
  // 0 when `b` is shorter than `width`.
  uint64_t read_uint(std::string_view b, size_t width) const;

 private:
  std::string_view m_bytes;
  bool m_is_64 = true;
  bool m_big_endian = false;
  std::vector<ElfSection> m_sections;
  std::vector<ElfSegment> m_segments;
};

}  // namespace pith::catalog
