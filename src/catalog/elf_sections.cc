// ELF headers read by memcpy into pinned structs, byte-swapped when the file's order differs
// from the host's; every table and string is checked against the buffer before use.
#include "catalog/elf_sections.h"

#include <bit>
#include <cstring>

#include "catalog/lang_common.h"

namespace pith::catalog {
namespace {

struct Elf64Ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf32Ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf64Shdr {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
struct Elf32Shdr {
  uint32_t name, type, flags, addr, offset, size, link, info, addralign, entsize;
};
struct Elf64Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct Elf32Phdr {
  uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
struct Elf64Sym {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
};
struct Elf32Sym {
  uint32_t name, value, size;
  uint8_t info, other;
  uint16_t shndx;
};
static_assert(sizeof(Elf64Ehdr) == 64 && sizeof(Elf32Ehdr) == 52);
static_assert(sizeof(Elf64Shdr) == 64 && sizeof(Elf32Shdr) == 40);
static_assert(sizeof(Elf64Phdr) == 56 && sizeof(Elf32Phdr) == 32);
static_assert(sizeof(Elf64Sym) == 24 && sizeof(Elf32Sym) == 16);

constexpr uint16_t k_shn_xindex = 0xffff;  // real index lives in section 0's sh_link
constexpr uint16_t k_pn_xnum = 0xffff;     // real count lives in section 0's sh_info
constexpr uint32_t k_sht_symtab = 2;

template <class T>
void swap_one(bool swap, T& v) {
  if (!swap) return;
  if constexpr (sizeof(T) == 2) v = __builtin_bswap16(v);
  if constexpr (sizeof(T) == 4) v = __builtin_bswap32(v);
  if constexpr (sizeof(T) == 8) v = __builtin_bswap64(v);
}
template <class... T>
void swap_all(bool swap, T&... v) {
  (swap_one(swap, v), ...);
}

template <class T>
bool read_struct(std::string_view b, uint64_t offset, T* out) {
  if (!in_bounds(offset, sizeof(T), b.size())) return false;
  std::memcpy(out, b.data() + offset, sizeof(T));
  return true;
}

// A NUL-terminated string at `offset` of `table`; empty when out of range.
std::string_view c_string(std::string_view table, uint64_t offset) {
  if (offset >= table.size()) return {};
  std::string_view rest = table.substr(offset);
  return rest.substr(0, rest.find('\0'));
}

// The headers of both classes, widened to 64-bit fields.
struct Header {
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum, shstrndx;
};

ElfSection widen(const Elf64Shdr& s) {
  return ElfSection{{}, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.entsize};
}
ElfSection widen(const Elf32Shdr& s) {
  return ElfSection{{}, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.entsize};
}

// A section header with its name still an offset into the section name table.
struct RawSection {
  ElfSection section;
  uint32_t name_offset = 0;
};

template <class Shdr>
Result<RawSection> read_section(std::string_view b, bool swap, uint64_t offset) {
  Shdr s;
  if (!read_struct(b, offset, &s)) return make_error("section header outside the file");
  swap_all(swap, s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info, s.addralign,
           s.entsize);
  return RawSection{widen(s), s.name};
}

template <class Phdr>
Result<ElfSegment> read_segment(std::string_view b, bool swap, uint64_t offset) {
  Phdr p;
  if (!read_struct(b, offset, &p)) return make_error("program header outside the file");
  swap_all(swap, p.type, p.flags, p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.align);
  return ElfSegment{p.type, p.flags, p.offset, p.vaddr, p.filesz, p.memsz};
}

}  // namespace

bool has_elf_magic(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes.substr(0, 4) ==
                                        "\x7f"
                                        "ELF";
}

Result<ElfFile> ElfFile::parse(std::string_view bytes) {
  if (!has_elf_magic(bytes) || bytes.size() < 16) return make_error("not an ELF file");
  ElfFile f;
  f.m_bytes = bytes;
  uint8_t elf_class = static_cast<uint8_t>(bytes[4]);
  uint8_t data = static_cast<uint8_t>(bytes[5]);
  if (elf_class != 1 && elf_class != 2) return make_error("unknown ELF class");
  if (data != 1 && data != 2) return make_error("unknown ELF byte order");
  f.m_is_64 = elf_class == 2;
  f.m_big_endian = data == 2;
  bool swap = f.m_big_endian != (std::endian::native == std::endian::big);

  Header h{};
  if (f.m_is_64) {
    Elf64Ehdr e;
    if (!read_struct(bytes, 0, &e)) return make_error("truncated ELF header");
    swap_all(swap, e.phoff, e.shoff, e.phentsize, e.phnum, e.shentsize, e.shnum, e.shstrndx);
    h = {e.phoff, e.shoff, e.phentsize, e.phnum, e.shentsize, e.shnum, e.shstrndx};
  } else {
    Elf32Ehdr e;
    if (!read_struct(bytes, 0, &e)) return make_error("truncated ELF header");
    swap_all(swap, e.phoff, e.shoff, e.phentsize, e.phnum, e.shentsize, e.shnum, e.shstrndx);
    h = {e.phoff, e.shoff, e.phentsize, e.phnum, e.shentsize, e.shnum, e.shstrndx};
  }
  size_t shdr_size = f.m_is_64 ? sizeof(Elf64Shdr) : sizeof(Elf32Shdr);
  size_t phdr_size = f.m_is_64 ? sizeof(Elf64Phdr) : sizeof(Elf32Phdr);
  auto section_at = [&](uint64_t off) {
    return f.m_is_64 ? read_section<Elf64Shdr>(bytes, swap, off)
                     : read_section<Elf32Shdr>(bytes, swap, off);
  };

  // Section count and name table index may overflow into section 0 (more than 0xff00 sections).
  uint64_t shnum = h.shnum;
  uint64_t shstrndx = h.shstrndx;
  uint64_t phnum = h.phnum;
  if (h.shoff != 0) {
    if (h.shentsize < shdr_size) return make_error("bad section header size");
    RawSection zero = TRY_CTX("section 0", section_at(h.shoff));
    if (shnum == 0) shnum = zero.section.size;
    if (shstrndx == k_shn_xindex) shstrndx = zero.section.link;
    if (phnum == k_pn_xnum) phnum = 0;  // sh_info is not kept; such files are not Go or Rust output
    uint64_t table = 0;
    if (__builtin_mul_overflow(shnum, uint64_t{h.shentsize}, &table) ||
        !in_bounds(h.shoff, table, bytes.size()))
      return make_error("section header table outside the file");
    std::vector<uint32_t> name_offsets;
    for (uint64_t i = 0; i < shnum; ++i) {
      RawSection raw = TRY(section_at(h.shoff + i * h.shentsize));
      f.m_sections.push_back(std::move(raw.section));
      name_offsets.push_back(raw.name_offset);
    }
    std::string_view names;
    if (shstrndx < shnum) {
      auto r = f.section_data(f.m_sections[shstrndx]);
      if (r) names = *r;
    }
    for (size_t i = 0; i < f.m_sections.size(); ++i)
      f.m_sections[i].name = std::string(c_string(names, name_offsets[i]));
  }
  if (h.phoff != 0 && phnum != 0) {
    if (h.phentsize < phdr_size) return make_error("bad program header size");
    uint64_t table = 0;
    if (__builtin_mul_overflow(phnum, uint64_t{h.phentsize}, &table) ||
        !in_bounds(h.phoff, table, bytes.size()))
      return make_error("program header table outside the file");
    for (uint64_t i = 0; i < phnum; ++i) {
      uint64_t off = h.phoff + i * h.phentsize;
      f.m_segments.push_back(TRY(f.m_is_64 ? read_segment<Elf64Phdr>(bytes, swap, off)
                                           : read_segment<Elf32Phdr>(bytes, swap, off)));
    }
  }
  return f;
}

const ElfSection* ElfFile::find_section(std::string_view name) const {
  for (const ElfSection& s : m_sections)
    if (s.name == name) return &s;
  return nullptr;
}

Result<std::string_view> ElfFile::section_data(const ElfSection& section) const {
  if (section.type == k_elf_nobits) return std::string_view{};
  if (!in_bounds(section.offset, section.size, m_bytes.size()))
    return make_error("section " + section.name + " lies outside the file");
  return m_bytes.substr(section.offset, section.size);
}

std::string_view ElfFile::read_vaddr(uint64_t addr, uint64_t size) const {
  for (const ElfSegment& p : m_segments) {
    if (p.type != k_elf_pt_load || p.filesz == 0) continue;
    if (addr < p.vaddr || addr - p.vaddr >= p.filesz) continue;
    uint64_t delta = addr - p.vaddr;
    uint64_t n = std::min(p.filesz - delta, size);
    uint64_t off = 0;
    if (__builtin_add_overflow(p.offset, delta, &off) || off >= m_bytes.size()) return {};
    // A truncated file yields the bytes it has; callers check the length they need.
    return m_bytes.substr(off, std::min<uint64_t>(n, m_bytes.size() - off));
  }
  return {};
}

Result<std::vector<ElfSymbol>> ElfFile::symbols() const {
  std::vector<ElfSymbol> out;
  const ElfSection* symtab = nullptr;
  for (const ElfSection& s : m_sections)
    if (s.type == k_sht_symtab) symtab = &s;
  if (!symtab) return out;
  std::string_view data = TRY(section_data(*symtab));
  std::string_view names;
  if (symtab->link < m_sections.size()) names = TRY(section_data(m_sections[symtab->link]));
  bool swap = m_big_endian != (std::endian::native == std::endian::big);
  size_t stride = m_is_64 ? sizeof(Elf64Sym) : sizeof(Elf32Sym);
  for (uint64_t off = stride; off + stride <= data.size(); off += stride) {
    ElfSymbol sym;
    uint32_t name = 0;
    if (m_is_64) {
      Elf64Sym s;
      read_struct(data, off, &s);
      swap_all(swap, s.name, s.shndx, s.value, s.size);
      name = s.name;
      sym.value = s.value;
      sym.size = s.size;
      sym.section_index = s.shndx;
    } else {
      Elf32Sym s;
      read_struct(data, off, &s);
      swap_all(swap, s.name, s.shndx, s.value, s.size);
      name = s.name;
      sym.value = s.value;
      sym.size = s.size;
      sym.section_index = s.shndx;
    }
    sym.name = c_string(names, name);
    out.push_back(sym);
  }
  return out;
}

uint64_t ElfFile::read_uint(std::string_view b, size_t width) const {
  if (b.size() < width || width > 8) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    size_t at = m_big_endian ? i : width - 1 - i;
    v = (v << 8) | static_cast<unsigned char>(b[at]);
  }
  return v;
}

}  // namespace pith::catalog
