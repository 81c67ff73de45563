// The one ELF reader of pith, for the loader emulation and the catalogers alike: the header and
// program headers, and on request the section headers, symbols and bytes at virtual addresses.
// Every offset, size and count in the file is hostile and checked before use.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::elf {

inline constexpr uint32_t k_pt_load = 1;
inline constexpr uint32_t k_pt_dynamic = 2;
inline constexpr uint32_t k_pt_interp = 3;
inline constexpr uint32_t k_pf_x = 1;
inline constexpr uint32_t k_pf_w = 2;
inline constexpr uint32_t k_sht_symtab = 2;
inline constexpr uint32_t k_sht_nobits = 8;  // occupies no file bytes

struct Segment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

struct Section {
  std::string name;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t entsize = 0;
};

struct Symbol {
  std::string_view name;  // into the File's bytes
  uint64_t value = 0;
  uint64_t size = 0;
  uint16_t section_index = 0;
};

// Reads exactly `len` bytes at `offset`, or fails (past the end of the file).
using ReadAt = std::function<Result<std::string>(uint64_t offset, uint64_t len)>;

// Whether the first bytes are the ELF magic.
bool has_elf_magic(std::string_view first_bytes);

// Whether to read the section header table. The loader never looks at it, so a file whose
// section headers are damaged (or stripped by sstrip) still loads: the loader's view skips it.
enum class Sections { read, skip };

class File {
 public:
  // Over bytes in memory; the views it returns point into `bytes`, which must outlive it.
  static Result<File> parse(std::string_view bytes, Sections sections = Sections::read);
  // Through `read` (a descriptor's pread): only the bytes asked for are read, since the build
  // reads many large libraries for a few kilobytes each. The views it returns point into
  // copies the File keeps until it is destroyed; a File is used by one thread at a time.
  static Result<File> open(ReadAt read, uint64_t size, Sections sections);
  // Only the ELF header (the first 64 bytes are enough): class, byte order, type and machine,
  // for a caller that only asks what a file is built for.
  static Result<File> parse_header(std::string_view first_bytes);

  bool is_64() const { return m_is_64; }
  bool big_endian() const { return m_big_endian; }
  uint16_t type() const { return m_type; }  // ET_EXEC 2, ET_DYN 3
  uint16_t machine() const { return m_machine; }
  uint64_t size() const { return m_size; }
  const std::vector<Segment>& segments() const { return m_segments; }
  // Empty when the File was made with Sections::skip.
  const std::vector<Section>& sections() const { return m_sections; }
  const Section* find_section(std::string_view name) const;

  // Exactly `len` bytes at `offset`, or an error when they lie past the end of the file.
  Result<std::string_view> bytes(uint64_t offset, uint64_t len) const;

  // The section's file bytes; empty for SHT_NOBITS; an error when it lies outside the file.
  Result<std::string_view> section_data(const Section& section) const;

  // The file offset of virtual address `addr`, through the first PT_LOAD whose file image
  // holds it (as ld.so finds DT_STRTAB and the version tables).
  Result<uint64_t> offset_of(uint64_t addr) const;

  // Up to `size` bytes mapped at virtual address `addr` by a PT_LOAD segment, cut short where
  // that segment's file image ends (as Go's debug/buildinfo reads memory); empty if unmapped.
  std::string_view read_vaddr(uint64_t addr, uint64_t size) const;

  // Entries of .symtab (the null symbol 0 skipped); empty when the binary is stripped.
  Result<std::vector<Symbol>> symbols() const;

  // An unsigned integer of 1, 2, 4 or 8 bytes at the start of `b`, in the file's byte order;
  // 0 when `b` is shorter than `width`.
  uint64_t read_uint(std::string_view b, size_t width) const;

  // Whether records (records.h) read from this file need their fields byte-swapped.
  bool swaps() const { return m_swap; }

 private:
  File() = default;
  static Result<File> make(File f, Sections sections);
  Result<void> read_header();
  Result<void> read_segments();
  Result<void> read_sections();

  std::string_view m_memory;  // the whole file, when parsed in memory
  ReadAt m_read;              // otherwise
  // Bytes read through m_read, kept for the views handed out; a deque never moves them.
  mutable std::deque<std::string> m_pieces;
  uint64_t m_size = 0;
  bool m_is_64 = true;
  bool m_big_endian = false;
  bool m_swap = false;
  uint16_t m_type = 0;
  uint16_t m_machine = 0;
  uint64_t m_phoff = 0, m_shoff = 0;
  uint16_t m_phentsize = 0, m_phnum = 0, m_shentsize = 0, m_shnum = 0, m_shstrndx = 0;
  std::vector<Segment> m_segments;
  std::vector<Section> m_sections;
};

}  // namespace pith::elf
