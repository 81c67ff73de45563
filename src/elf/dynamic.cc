// ELF dynamic information, read the way ld.so reads it: PT_INTERP, PT_DYNAMIC, and the strings
// and version tables it points to, found through the PT_LOAD that maps them (elf::File).
#include "elf/dynamic.h"

#include <unistd.h>

#include <algorithm>

#include "elf/records.h"
#include "util/file.h"

namespace pith::elf {

namespace {

namespace rec = records;

constexpr int64_t k_dt_null = 0;
constexpr int64_t k_dt_needed = 1;
constexpr int64_t k_dt_strtab = 5;
constexpr int64_t k_dt_strsz = 10;
constexpr int64_t k_dt_soname = 14;
constexpr int64_t k_dt_rpath = 15;
constexpr int64_t k_dt_runpath = 29;
constexpr int64_t k_dt_flags_1 = 0x6ffffffb;
constexpr int64_t k_dt_verdef = 0x6ffffffc;
constexpr int64_t k_dt_verdefnum = 0x6ffffffd;
constexpr int64_t k_dt_verneed = 0x6ffffffe;
constexpr int64_t k_dt_verneednum = 0x6fffffff;
constexpr uint16_t k_ver_flg_base = 1;

// Larger string tables (a few huge C++ libraries) are not scanned for symbol names.
constexpr uint64_t k_max_strtab_scan = 4 << 20;
// Limits well above anything a linker writes, so hostile counts cannot make us read much.
constexpr uint64_t k_max_dynamic_bytes = 1 << 20;
constexpr uint64_t k_max_interp = 4096;
constexpr uint64_t k_max_string = 4096;
constexpr uint64_t k_max_verdefs = 1024;
constexpr uint64_t k_max_verneeds = 1024;
// Needed versions of all files together; libstdc++ needs about 40.
constexpr uint64_t k_max_vernaux = 4096;

class Parser {
 public:
  explicit Parser(const File& file) : m_file(file) {}

  Result<DynamicInfo> run() {
    m_info.is_64 = m_file.is_64();
    m_info.big_endian = m_file.big_endian();
    m_info.type = m_file.type();
    m_info.machine = m_file.machine();
    std::optional<Segment> interp, dynamic;
    for (const Segment& s : m_file.segments()) {
      if (s.type == k_pt_interp && !interp) interp = s;
      if (s.type == k_pt_dynamic && !dynamic) dynamic = s;
    }
    if (interp) {
      if (interp->filesz > k_max_interp) return make_error("PT_INTERP too long");
      std::string_view s = TRY(m_file.bytes(interp->offset, interp->filesz).wrap("PT_INTERP"));
      m_info.interpreter = std::string(s.substr(0, s.find('\0')));
    }
    if (dynamic) TRY(read_dynamic_segment(*dynamic).wrap("PT_DYNAMIC"));
    return std::move(m_info);
  }

 private:
  // A NUL-terminated string at `index` of the dynamic string table, read in small pieces.
  Result<std::string> string_at(uint64_t index) {
    if (!m_strtab) return make_error("no DT_STRTAB");
    if (index >= m_strsz) return make_error("string index past DT_STRSZ");
    uint64_t start = TRY(m_file.offset_of(*m_strtab));
    if (start + index < start) return make_error("string offset overflows");
    uint64_t at = start + index;
    uint64_t size = m_file.size();
    uint64_t left = std::min({m_strsz - index, size - std::min(size, at), k_max_string});
    std::string out;
    while (left > 0) {
      uint64_t chunk = std::min<uint64_t>(left, 256);
      std::string_view piece = TRY(m_file.bytes(at, chunk));
      size_t nul = piece.find('\0');
      if (nul != std::string::npos) return out + std::string(piece.substr(0, nul));
      out += piece;
      at += chunk;
      left -= chunk;
    }
    return make_error("unterminated string in DT_STRTAB");
  }

  Result<void> read_dynamic_segment(const Segment& segment) {
    m_info.has_dynamic = true;
    uint64_t len = std::min(segment.filesz, k_max_dynamic_bytes);
    uint64_t entry = m_file.is_64() ? sizeof(rec::Dyn64) : sizeof(rec::Dyn32);
    std::string_view d = TRY(m_file.bytes(segment.offset, len - len % entry));
    std::vector<uint64_t> needed;
    std::optional<uint64_t> rpath, runpath, soname, verdef, verneed;
    uint64_t verdefnum = 0, verneednum = 0;
    for (size_t at = 0; at + entry <= d.size(); at += entry) {
      auto [tag, val] = dynamic_entry(d, at);
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
      if (tag == k_dt_verneed) verneed = val;
      if (tag == k_dt_verneednum) verneednum = val;
    }
    for (uint64_t n : needed) m_info.needed.push_back(TRY(string_at(n).wrap("DT_NEEDED")));
    if (soname) m_info.soname = TRY(string_at(*soname).wrap("DT_SONAME"));
    if (rpath) m_info.rpath = TRY(string_at(*rpath).wrap("DT_RPATH"));
    if (runpath) m_info.runpath = TRY(string_at(*runpath).wrap("DT_RUNPATH"));
    if (verdef) TRY(version_definitions(*verdef, verdefnum).wrap("DT_VERDEF"));
    if (verneed) TRY(version_needs(*verneed, verneednum).wrap("DT_VERNEED"));
    if (m_strtab && m_strsz <= k_max_strtab_scan) {
      uint64_t start = TRY(m_file.offset_of(*m_strtab).wrap("DT_STRTAB"));
      std::string_view table = TRY(m_file.bytes(start, m_strsz).wrap("DT_STRTAB"));
      auto names = [&](std::initializer_list<std::string_view> list) {
        for (std::string_view name : list)
          if (table.find('\0' + std::string(name) + '\0') != std::string::npos) return true;
        return false;
      };
      m_info.names_thread_cancellation = names({"pthread_cancel", "pthread_exit"});
      m_info.names_iconv = names({"iconv_open"});
      m_info.names_user_lookup = names({"getpwnam", "getpwuid", "getpwnam_r", "getpwuid_r",
                                        "getgrnam", "getgrgid", "getgrouplist", "initgroups"});
    }
    return {};
  }

  // d_tag and d_un of the entry at `at`; a 32-bit tag is sign-extended (d_tag is signed) so
  // the OS-specific tags compare.
  std::pair<int64_t, uint64_t> dynamic_entry(std::string_view d, size_t at) const {
    if (m_file.is_64()) {
      rec::Dyn64 e{};
      rec::load(d, at, &e);
      rec::to_host(m_file.swaps(), e.tag, e.val);
      return {static_cast<int64_t>(e.tag), e.val};
    }
    rec::Dyn32 e{};
    rec::load(d, at, &e);
    rec::to_host(m_file.swaps(), e.tag, e.val);
    return {static_cast<int32_t>(e.tag), e.val};
  }

  // The record T at file offset `at`, its fields put in host order by `to_host`.
  template <class T, class ToHost>
  Result<T> record(uint64_t at, ToHost to_host) const {
    T r{};
    rec::load(TRY(m_file.bytes(at, sizeof r)), 0, &r);
    to_host(r);
    return r;
  }

  // The next record of a chain: `at` + `next`, or nothing at the end (0) or on overflow.
  static std::optional<uint64_t> advance(uint64_t at, uint64_t next) {
    if (next == 0 || at + next < at) return std::nullopt;
    return at + next;
  }

  // A record's first auxiliary entry, at `at` + `aux`.
  static Result<uint64_t> plus(uint64_t at, uint64_t aux, const char* field) {
    if (at + aux < at) return make_error(std::string("bad ") + field);
    return at + aux;
  }

  // Counts bound the walks: a `next` can only move forward, and a chain ends at 0.
  Result<void> version_definitions(uint64_t addr, uint64_t count) {
    if (count > k_max_verdefs) return make_error("too many version definitions");
    bool swap = m_file.swaps();
    std::optional<uint64_t> at = TRY(m_file.offset_of(addr));
    for (uint64_t i = 0; i < count && at; ++i) {
      auto def = TRY(record<rec::Verdef>(
          *at, [&](rec::Verdef& d) { rec::to_host(swap, d.flags, d.cnt, d.aux, d.next); }));
      if (def.cnt > 0 && !(def.flags & k_ver_flg_base)) {
        uint64_t first = TRY(plus(*at, def.aux, "vd_aux"));
        auto aux =
            TRY(record<rec::Verdaux>(first, [&](rec::Verdaux& a) { rec::to_host(swap, a.name); }));
        m_info.version_definitions.push_back(TRY(string_at(aux.name)));
      }
      at = advance(*at, def.next);
    }
    return {};
  }

  Result<void> version_needs(uint64_t addr, uint64_t count) {
    if (count > k_max_verneeds) return make_error("too many version needs");
    bool swap = m_file.swaps();
    uint64_t names = 0;
    std::optional<uint64_t> at = TRY(m_file.offset_of(addr));
    for (uint64_t i = 0; i < count && at; ++i) {
      auto need = TRY(record<rec::Verneed>(
          *at, [&](rec::Verneed& n) { rec::to_host(swap, n.cnt, n.file, n.aux, n.next); }));
      VersionNeed out{TRY(string_at(need.file).wrap("vn_file")), {}};
      std::optional<uint64_t> aux_at = TRY(plus(*at, need.aux, "vn_aux"));
      for (uint64_t j = 0; j < need.cnt && aux_at; ++j) {
        if (++names > k_max_vernaux) return make_error("too many needed versions");
        auto aux = TRY(record<rec::Vernaux>(
            *aux_at, [&](rec::Vernaux& a) { rec::to_host(swap, a.name, a.next); }));
        out.versions.push_back(TRY(string_at(aux.name).wrap("vna_name")));
        aux_at = advance(*aux_at, aux.next);
      }
      m_info.version_needs.push_back(std::move(out));
      at = advance(*at, need.next);
    }
    return {};
  }

  const File& m_file;
  DynamicInfo m_info;
  std::optional<uint64_t> m_strtab;
  uint64_t m_strsz = 0;
};

}  // namespace

Result<DynamicInfo> read_dynamic(const ReadAt& read, uint64_t size) {
  File file = TRY(File::open(read, size, Sections::skip));
  return Parser(file).run();
}

Result<DynamicInfo> read_dynamic_bytes(std::string_view bytes) {
  File file = TRY(File::parse(bytes, Sections::skip));
  return Parser(file).run();
}

Result<DynamicInfo> read_dynamic_fd(int fd) {
  uint64_t size = TRY(file_size(fd));
  ReadAt read = [fd](uint64_t offset, uint64_t len) { return pread_exact(fd, offset, len); };
  return read_dynamic(read, size);
}

std::string docker_architecture(const DynamicInfo& info) {
  return docker_architecture(info.machine, info.is_64);
}

std::string docker_architecture(uint16_t machine, bool is_64) {
  struct Arch {
    uint16_t machine;
    bool is_64;
    const char* name;
  };
  static constexpr Arch k_arches[] = {
      {k_em_x86_64, true, "amd64"},  {k_em_aarch64, true, "arm64"}, {k_em_386, false, "386"},
      {k_em_arm, false, "arm"},      {k_em_ppc64, true, "ppc64le"}, {k_em_s390, true, "s390x"},
      {k_em_riscv, true, "riscv64"},
  };
  for (const auto& a : k_arches)
    if (a.machine == machine && a.is_64 == is_64) return a.name;
  return "";
}

}  // namespace pith::elf
