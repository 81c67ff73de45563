// ELF dynamic information, read the way ld.so reads it: the ELF header, the program headers,
// PT_INTERP, PT_DYNAMIC, and strings of DT_STRTAB found through the PT_LOAD that maps them.
#include "elf/dynamic.h"

#include <unistd.h>

#include <cstring>

#include "util/file.h"

namespace pith::elf {

namespace {

constexpr uint32_t k_pt_load = 1;
constexpr uint32_t k_pt_dynamic = 2;
constexpr uint32_t k_pt_interp = 3;
constexpr int64_t k_dt_null = 0;
constexpr int64_t k_dt_needed = 1;
constexpr int64_t k_dt_strtab = 5;
constexpr int64_t k_dt_strsz = 10;
// Larger string tables (a few huge C++ libraries) are not scanned for symbol names.
constexpr uint64_t k_max_strtab_scan = 4 << 20;
constexpr int64_t k_dt_soname = 14;
constexpr int64_t k_dt_rpath = 15;
constexpr int64_t k_dt_runpath = 29;
constexpr int64_t k_dt_flags_1 = 0x6ffffffb;
constexpr int64_t k_dt_verdef = 0x6ffffffc;
constexpr int64_t k_dt_verdefnum = 0x6ffffffd;
constexpr uint16_t k_ver_flg_base = 1;

// Limits well above anything a linker writes, so hostile counts cannot make us read much.
constexpr uint64_t k_max_phnum = 4096;
constexpr uint64_t k_max_dynamic_bytes = 1 << 20;
constexpr uint64_t k_max_interp = 4096;
constexpr uint64_t k_max_string = 4096;
constexpr uint64_t k_max_verdefs = 1024;

struct Segment {
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
};

// Integers of the file's byte order, read with memcpy from a buffer the caller sized.
class Fields {
 public:
  Fields(bool is_64, bool big) : m_is_64(is_64), m_big(big) {}
  uint64_t uint(std::string_view b, size_t at, size_t width) const {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      auto byte = static_cast<uint8_t>(b[at + (m_big ? i : width - 1 - i)]);
      v = (v << 8) | byte;
    }
    return v;
  }
  uint16_t u16(std::string_view b, size_t at) const {
    return static_cast<uint16_t>(uint(b, at, 2));
  }
  uint32_t u32(std::string_view b, size_t at) const {
    return static_cast<uint32_t>(uint(b, at, 4));
  }
  uint64_t word(std::string_view b, size_t at) const { return uint(b, at, m_is_64 ? 8 : 4); }
  size_t word_size() const { return m_is_64 ? 8 : 4; }

 private:
  bool m_is_64;
  bool m_big;
};

bool in_file(uint64_t offset, uint64_t len, uint64_t size) {
  return offset <= size && len <= size - offset;
}

class Parser {
 public:
  Parser(const ReadAt& read, uint64_t size) : m_read(read), m_size(size) {}

  Result<DynamicInfo> run() {
    TRY(header());
    TRY(program_headers());
    if (m_interp) {
      if (m_interp->filesz > k_max_interp) return make_error("PT_INTERP too long");
      std::string s = TRY(bytes(m_interp->offset, m_interp->filesz).wrap("PT_INTERP"));
      m_info.interpreter = s.substr(0, s.find('\0'));
    }
    if (m_dynamic) TRY(dynamic().wrap("PT_DYNAMIC"));
    return std::move(m_info);
  }

 private:
  Result<std::string> bytes(uint64_t offset, uint64_t len) {
    if (!in_file(offset, len, m_size))
      return make_error(std::to_string(len) + " bytes at offset " + std::to_string(offset) +
                        " are past the end of the file");
    return m_read(offset, len);
  }

  Result<void> header() {
    if (m_size < 52) return make_error("not an ELF file (too short)");
    std::string ident = TRY(bytes(0, 16));
    if (!has_elf_magic(ident)) return make_error("not an ELF file");
    if (ident[4] != 1 && ident[4] != 2) return make_error("bad ELF class");
    if (ident[5] != 1 && ident[5] != 2) return make_error("bad ELF byte order");
    m_info.is_64 = ident[4] == 2;
    m_info.big_endian = ident[5] == 2;
    m_f = Fields(m_info.is_64, m_info.big_endian);
    uint64_t header_size = m_info.is_64 ? 64 : 52;
    std::string h = TRY(bytes(0, header_size).wrap("ELF header"));
    m_info.type = m_f.u16(h, 16);
    m_info.machine = m_f.u16(h, 18);
    m_phoff = m_f.word(h, m_info.is_64 ? 32 : 28);
    m_phentsize = m_f.u16(h, m_info.is_64 ? 54 : 42);
    m_phnum = m_f.u16(h, m_info.is_64 ? 56 : 44);
    return {};
  }

  Result<void> program_headers() {
    uint64_t min_entsize = m_info.is_64 ? 56 : 32;
    if (m_phnum == 0) return {};
    if (m_phnum > k_max_phnum) return make_error("too many program headers");
    if (m_phentsize < min_entsize || m_phentsize > 1024)
      return make_error("bad program header size");
    std::string table = TRY(bytes(m_phoff, m_phnum * m_phentsize).wrap("program headers"));
    for (uint64_t i = 0; i < m_phnum; ++i) {
      size_t at = static_cast<size_t>(i * m_phentsize);
      Segment s;
      s.type = m_f.u32(table, at);
      if (m_info.is_64) {
        s.offset = m_f.word(table, at + 8);
        s.vaddr = m_f.word(table, at + 16);
        s.filesz = m_f.word(table, at + 32);
      } else {
        s.offset = m_f.word(table, at + 4);
        s.vaddr = m_f.word(table, at + 8);
        s.filesz = m_f.word(table, at + 16);
      }
      if (s.type == k_pt_load) m_loads.push_back(s);
      if (s.type == k_pt_interp && !m_interp) m_interp = s;
      if (s.type == k_pt_dynamic && !m_dynamic) m_dynamic = s;
    }
    return {};
  }

  // The file offset of a virtual address, through the PT_LOAD whose file image holds it.
  Result<uint64_t> offset_of(uint64_t addr) const {
    for (const auto& l : m_loads) {
      if (addr >= l.vaddr && addr - l.vaddr < l.filesz) return l.offset + (addr - l.vaddr);
    }
    return make_error("address " + std::to_string(addr) + " is not mapped from the file");
  }

  // A NUL-terminated string at `index` of the dynamic string table, read in small pieces.
  Result<std::string> string_at(uint64_t index) {
    if (!m_strtab) return make_error("no DT_STRTAB");
    if (index >= m_strsz) return make_error("string index past DT_STRSZ");
    uint64_t start = TRY(offset_of(*m_strtab));
    if (start + index < start) return make_error("string offset overflows");
    uint64_t at = start + index;
    uint64_t left = std::min({m_strsz - index, m_size - std::min(m_size, at), k_max_string});
    std::string out;
    while (left > 0) {
      uint64_t chunk = std::min<uint64_t>(left, 256);
      std::string piece = TRY(bytes(at, chunk));
      size_t nul = piece.find('\0');
      if (nul != std::string::npos) return out + piece.substr(0, nul);
      out += piece;
      at += chunk;
      left -= chunk;
    }
    return make_error("unterminated string in DT_STRTAB");
  }

  Result<void> dynamic() {
    m_info.has_dynamic = true;
    uint64_t len = std::min(m_dynamic->filesz, k_max_dynamic_bytes);
    uint64_t entry = 2 * m_f.word_size();
    std::string d = TRY(bytes(m_dynamic->offset, len - len % entry));
    std::vector<uint64_t> needed;
    std::optional<uint64_t> rpath, runpath, soname, verdef;
    uint64_t verdefnum = 0;
    for (size_t at = 0; at + entry <= d.size(); at += entry) {
      uint64_t raw = m_f.word(d, at);
      // d_tag is signed; a 32-bit tag is sign-extended so the OS-specific tags compare.
      auto tag = m_info.is_64 ? static_cast<int64_t>(raw) : static_cast<int32_t>(raw);
      uint64_t val = m_f.word(d, at + m_f.word_size());
      if (tag == k_dt_null) break;
      if (tag == k_dt_needed) needed.push_back(val);
      if (tag == k_dt_strtab) m_strtab = val;
      if (tag == k_dt_strsz) m_strsz = val;
      if (tag == k_dt_soname) soname = val;
      if (tag == k_dt_rpath) rpath = val;
      if (tag == k_dt_runpath) runpath = val;
      if (tag == k_dt_flags_1) m_info.flags_1 = val;
      if (tag == k_dt_verdef) verdef = val;
      if (tag == k_dt_verdefnum) verdefnum = val;
    }
    for (uint64_t n : needed) m_info.needed.push_back(TRY(string_at(n).wrap("DT_NEEDED")));
    if (soname) m_info.soname = TRY(string_at(*soname).wrap("DT_SONAME"));
    if (rpath) m_info.rpath = TRY(string_at(*rpath).wrap("DT_RPATH"));
    if (runpath) m_info.runpath = TRY(string_at(*runpath).wrap("DT_RUNPATH"));
    if (verdef) TRY(version_definitions(*verdef, verdefnum).wrap("DT_VERDEF"));
    if (m_strtab && m_strsz <= k_max_strtab_scan) {
      std::string table = TRY(bytes(TRY(offset_of(*m_strtab)), m_strsz).wrap("DT_STRTAB"));
      for (std::string_view name : {"pthread_cancel", "pthread_exit"}) {
        std::string whole = '\0' + std::string(name) + '\0';
        m_info.names_thread_cancellation |= table.find(whole) != std::string::npos;
      }
    }
    return {};
  }

  Result<void> version_definitions(uint64_t addr, uint64_t count) {
    if (count > k_max_verdefs) return make_error("too many version definitions");
    uint64_t at = TRY(offset_of(addr));
    for (uint64_t i = 0; i < count; ++i) {
      std::string def = TRY(bytes(at, 20));
      uint16_t flags = m_f.u16(def, 2);
      uint32_t aux = m_f.u32(def, 12);
      uint32_t next = m_f.u32(def, 16);
      if (m_f.u16(def, 6) > 0 && !(flags & k_ver_flg_base)) {
        if (at + aux < at) return make_error("bad vd_aux");
        std::string first = TRY(bytes(at + aux, 8));
        m_info.version_definitions.push_back(TRY(string_at(m_f.u32(first, 0))));
      }
      if (next == 0 || at + next < at) break;
      at += next;
    }
    return {};
  }

  const ReadAt& m_read;
  uint64_t m_size;
  DynamicInfo m_info;
  Fields m_f{true, false};
  uint64_t m_phoff = 0, m_phentsize = 0, m_phnum = 0;
  std::vector<Segment> m_loads;
  std::optional<Segment> m_interp, m_dynamic;
  std::optional<uint64_t> m_strtab;
  uint64_t m_strsz = 0;
};

}  // namespace

bool has_elf_magic(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes.substr(0, 4) ==
                                        "\x7f"
                                        "ELF";
}

Result<DynamicInfo> read_dynamic(const ReadAt& read, uint64_t size) {
  return Parser(read, size).run();
}

Result<DynamicInfo> read_dynamic_bytes(std::string_view bytes) {
  ReadAt read = [bytes](uint64_t offset, uint64_t len) -> Result<std::string> {
    return std::string(bytes.substr(offset, len));  // the parser checked the bounds
  };
  return read_dynamic(read, bytes.size());
}

Result<DynamicInfo> read_dynamic_fd(int fd) {
  uint64_t size = TRY(file_size(fd));
  ReadAt read = [fd](uint64_t offset, uint64_t len) { return pread_exact(fd, offset, len); };
  return read_dynamic(read, size);
}

}  // namespace pith::elf
