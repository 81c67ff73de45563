// The ELF header, program and section header tables read through pinned records, checked
// against the file's size before each read; symbols and virtual addresses on top of them.
#include "elf/file.h"

#include <algorithm>
#include <bit>

#include "elf/records.h"

namespace pith::elf {
namespace {

namespace rec = records;

constexpr uint16_t k_shn_xindex = 0xffff;  // the real index lives in section 0's sh_link
// Limits well above anything a linker writes, so hostile counts cannot make us read much.
constexpr uint64_t k_max_phnum = 4096;
constexpr uint64_t k_max_phentsize = 1024;

bool in_file(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

// A NUL-terminated string at `offset` of `table`; empty when out of range.
std::string_view c_string(std::string_view table, uint64_t offset) {
  if (offset >= table.size()) return {};
  std::string_view rest = table.substr(offset);
  return rest.substr(0, rest.find('\0'));
}

// The fields of the ELF header both classes share, widened.
struct Header {
  uint16_t type, machine;
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum, shstrndx;
};

template <class Ehdr>
Header widen_header(Ehdr e, bool swap) {
  rec::to_host(swap, e.type, e.machine, e.phoff, e.shoff, e.phentsize, e.phnum, e.shentsize,
               e.shnum, e.shstrndx);
  return {e.type,  e.machine,   e.phoff, e.shoff,   e.phentsize,
          e.phnum, e.shentsize, e.shnum, e.shstrndx};
}

template <class Phdr>
Segment widen_segment(Phdr p, bool swap) {
  rec::to_host(swap, p.type, p.flags, p.offset, p.vaddr, p.filesz, p.memsz);
  return {p.type, p.flags, p.offset, p.vaddr, p.filesz, p.memsz};
}

// A section header with its name still an offset into the section name table.
struct RawSection {
  Section section;
  uint32_t name_offset = 0;
};

template <class Shdr>
RawSection widen_section(Shdr s, bool swap) {
  rec::to_host(swap, s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.entsize);
  return {Section{{}, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.entsize}, s.name};
}

template <class Shdr>
RawSection read_section(std::string_view b, bool swap) {
  Shdr s{};
  rec::load(b, 0, &s);  // the caller read exactly sizeof(Shdr) bytes
  return widen_section(s, swap);
}

template <class Sym>
Symbol widen_symbol(Sym s, bool swap, std::string_view names) {
  rec::to_host(swap, s.name, s.shndx, s.value, s.size);
  return {c_string(names, s.name), s.value, s.size, s.shndx};
}

}  // namespace

bool has_elf_magic(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes.substr(0, 4) ==
                                        "\x7f"
                                        "ELF";
}

Result<File> File::parse(std::string_view bytes, Sections sections) {
  File f;
  f.m_memory = bytes;
  f.m_size = bytes.size();
  return make(std::move(f), sections);
}

Result<File> File::open(ReadAt read, uint64_t size, Sections sections) {
  File f;
  f.m_read = std::move(read);
  f.m_size = size;
  return make(std::move(f), sections);
}

Result<File> File::parse_header(std::string_view first_bytes) {
  File f;
  f.m_memory = first_bytes;
  f.m_size = first_bytes.size();
  TRY(f.read_header());
  return f;
}

Result<File> File::make(File f, Sections sections) {
  TRY(f.read_header());
  TRY(f.read_segments());
  if (sections == Sections::read) TRY(f.read_sections());
  return f;
}

Result<std::string_view> File::bytes(uint64_t offset, uint64_t len) const {
  if (!in_file(offset, len, m_size))
    return make_error(std::to_string(len) + " bytes at offset " + std::to_string(offset) +
                      " are past the end of the file");
  if (!m_read) return m_memory.substr(offset, len);
  m_pieces.push_back(TRY(m_read(offset, len)));
  return std::string_view(m_pieces.back());
}

Result<void> File::read_header() {
  if (m_size < sizeof(rec::Ehdr32)) return make_error("not an ELF file (too short)");
  std::string_view ident = TRY(bytes(0, 16));
  if (!has_elf_magic(ident)) return make_error("not an ELF file");
  if (ident[4] != 1 && ident[4] != 2) return make_error("bad ELF class");
  if (ident[5] != 1 && ident[5] != 2) return make_error("bad ELF byte order");
  m_is_64 = ident[4] == 2;
  m_big_endian = ident[5] == 2;
  m_swap = m_big_endian != (std::endian::native == std::endian::big);
  Header h{};
  if (m_is_64) {
    rec::Ehdr64 e{};
    rec::load(TRY(bytes(0, sizeof e).wrap("ELF header")), 0, &e);
    h = widen_header(e, m_swap);
  } else {
    rec::Ehdr32 e{};
    rec::load(TRY(bytes(0, sizeof e).wrap("ELF header")), 0, &e);
    h = widen_header(e, m_swap);
  }
  m_type = h.type;
  m_machine = h.machine;
  m_phoff = h.phoff;
  m_shoff = h.shoff;
  m_phentsize = h.phentsize;
  m_phnum = h.phnum;
  m_shentsize = h.shentsize;
  m_shnum = h.shnum;
  m_shstrndx = h.shstrndx;
  return {};
}

// The table is read as ld.so reads it: e_phnum entries at e_phoff (no PN_XNUM extension, which
// only core files use).
Result<void> File::read_segments() {
  if (m_phnum == 0) return {};
  if (m_phnum > k_max_phnum) return make_error("too many program headers");
  size_t entry = m_is_64 ? sizeof(rec::Phdr64) : sizeof(rec::Phdr32);
  if (m_phentsize < entry || m_phentsize > k_max_phentsize)
    return make_error("bad program header size");
  std::string_view table =
      TRY(bytes(m_phoff, uint64_t{m_phnum} * m_phentsize).wrap("program headers"));
  for (size_t at = 0; at < table.size(); at += m_phentsize) {
    if (m_is_64) {
      rec::Phdr64 p{};
      rec::load(table, at, &p);
      m_segments.push_back(widen_segment(p, m_swap));
    } else {
      rec::Phdr32 p{};
      rec::load(table, at, &p);
      m_segments.push_back(widen_segment(p, m_swap));
    }
  }
  return {};
}

Result<void> File::read_sections() {
  if (m_shoff == 0) return {};
  size_t entry = m_is_64 ? sizeof(rec::Shdr64) : sizeof(rec::Shdr32);
  if (m_shentsize < entry) return make_error("bad section header size");
  auto section_at = [&](uint64_t offset) -> Result<RawSection> {
    std::string_view b = TRY(bytes(offset, entry));
    return m_is_64 ? read_section<rec::Shdr64>(b, m_swap) : read_section<rec::Shdr32>(b, m_swap);
  };
  // Count and name table index overflow into section 0 when there are more than 0xff00.
  RawSection zero = TRY(section_at(m_shoff).wrap("section 0"));
  uint64_t shnum = m_shnum == 0 ? zero.section.size : m_shnum;
  uint64_t shstrndx = m_shstrndx == k_shn_xindex ? zero.section.link : m_shstrndx;
  uint64_t table_size = 0;
  if (__builtin_mul_overflow(shnum, uint64_t{m_shentsize}, &table_size) ||
      !in_file(m_shoff, table_size, m_size))
    return make_error("section header table outside the file");
  std::string_view table = TRY(bytes(m_shoff, table_size));
  std::vector<uint32_t> name_offsets;
  for (uint64_t at = 0; at < table.size(); at += m_shentsize) {
    RawSection raw = m_is_64 ? read_section<rec::Shdr64>(table.substr(at), m_swap)
                             : read_section<rec::Shdr32>(table.substr(at), m_swap);
    m_sections.push_back(std::move(raw.section));
    name_offsets.push_back(raw.name_offset);
  }
  std::string_view names;
  if (shstrndx < m_sections.size()) {
    auto r = section_data(m_sections[shstrndx]);
    if (r) names = *r;  // unreadable names leave the sections unnamed, not the file unread
  }
  for (size_t i = 0; i < m_sections.size(); ++i)
    m_sections[i].name = std::string(c_string(names, name_offsets[i]));
  return {};
}

const Section* File::find_section(std::string_view name) const {
  for (const Section& s : m_sections)
    if (s.name == name) return &s;
  return nullptr;
}

Result<std::string_view> File::section_data(const Section& section) const {
  if (section.type == k_sht_nobits) return std::string_view{};
  if (!in_file(section.offset, section.size, m_size))
    return make_error("section " + section.name + " lies outside the file");
  return bytes(section.offset, section.size);
}

Result<uint64_t> File::offset_of(uint64_t addr) const {
  for (const Segment& p : m_segments) {
    if (p.type != k_pt_load || addr < p.vaddr || addr - p.vaddr >= p.filesz) continue;
    uint64_t offset = 0;
    if (__builtin_add_overflow(p.offset, addr - p.vaddr, &offset)) break;
    return offset;
  }
  return make_error("address " + std::to_string(addr) + " is not mapped from the file");
}

std::string_view File::read_vaddr(uint64_t addr, uint64_t size) const {
  for (const Segment& p : m_segments) {
    if (p.type != k_pt_load || addr < p.vaddr || addr - p.vaddr >= p.filesz) continue;
    uint64_t delta = addr - p.vaddr;
    uint64_t offset = 0;
    if (__builtin_add_overflow(p.offset, delta, &offset) || offset >= m_size) return {};
    // A truncated file yields the bytes it has; callers check the length they need.
    uint64_t n = std::min({p.filesz - delta, size, m_size - offset});
    auto r = bytes(offset, n);
    return r ? *r : std::string_view{};
  }
  return {};
}

Result<std::vector<Symbol>> File::symbols() const {
  std::vector<Symbol> out;
  const Section* symtab = nullptr;
  for (const Section& s : m_sections)
    if (s.type == k_sht_symtab) symtab = &s;
  if (!symtab) return out;
  std::string_view data = TRY(section_data(*symtab));
  std::string_view names;
  if (symtab->link < m_sections.size()) names = TRY(section_data(m_sections[symtab->link]));
  size_t stride = m_is_64 ? sizeof(rec::Sym64) : sizeof(rec::Sym32);
  for (uint64_t at = stride; at + stride <= data.size(); at += stride) {
    if (m_is_64) {
      rec::Sym64 s{};
      rec::load(data, at, &s);
      out.push_back(widen_symbol(s, m_swap, names));
    } else {
      rec::Sym32 s{};
      rec::load(data, at, &s);
      out.push_back(widen_symbol(s, m_swap, names));
    }
  }
  return out;
}

uint64_t File::read_uint(std::string_view b, size_t width) const {
  if (b.size() < width || width > 8) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    size_t at = m_big_endian ? i : width - 1 - i;
    v = (v << 8) | static_cast<unsigned char>(b[at]);
  }
  return v;
}

}  // namespace pith::elf
