// What the dynamic loader reads from an ELF file: its class, byte order and machine, PT_INTERP,
// and the PT_DYNAMIC entries that drive the library search and its checks (DT_NEEDED, DT_RPATH,
// DT_RUNPATH, DT_SONAME, DT_FLAGS_1, version definitions and needs). Only those bytes are read
// (elf::File without its sections), each bounds-checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/file.h"
#include "util/result.h"

namespace pith::elf {

inline constexpr uint16_t k_em_386 = 3;
inline constexpr uint16_t k_em_arm = 40;
inline constexpr uint16_t k_em_x86_64 = 62;
inline constexpr uint16_t k_em_aarch64 = 183;
inline constexpr uint16_t k_em_ppc64 = 21;
inline constexpr uint16_t k_em_s390 = 22;
inline constexpr uint16_t k_em_riscv = 243;
inline constexpr uint64_t k_df_1_nodeflib = 0x800;

// The versions a file requires from one of its DT_NEEDED files (DT_VERNEED): ld.so fails to
// load it when that file does not define them ("GLIBC_2.34 not found").
struct VersionNeed {
  std::string file;                   // "libc.so.6"
  std::vector<std::string> versions;  // "GLIBC_2.2.5", "GLIBC_2.34", in the file's order
};

struct DynamicInfo {
  bool is_64 = true;
  bool big_endian = false;
  uint16_t type = 0;  // ET_EXEC 2, ET_DYN 3
  uint16_t machine = 0;
  std::string interpreter;   // PT_INTERP, "" when absent
  bool has_dynamic = false;  // PT_DYNAMIC present
  std::vector<std::string> needed;
  // Absent and empty differ: an empty DT_RUNPATH still disables DT_RPATH.
  std::optional<std::string> rpath;
  std::optional<std::string> runpath;
  std::optional<std::string> soname;
  uint64_t flags_1 = 0;
  // Version names the file defines (DT_VERDEF), without the base entry: "GLIBC_2.34", ...
  std::vector<std::string> version_definitions;
  // Version names required from other files (DT_VERNEED), in the file's order.
  std::vector<VersionNeed> version_needs;
  // The dynamic string table names pthread_cancel or pthread_exit: glibc dlopens libgcc_s for
  // them (to unwind the cancelled thread), even in programs that link no libpthread (>= 2.34).
  bool names_thread_cancellation = false;
  // It names glibc's user and group lookups (getpwnam, getpwuid, getgrnam, initgroups, ...):
  // with the "files" source, the default, they read /etc/passwd and /etc/group.
  bool names_user_lookup = false;
  // It names iconv_open (libc.so.6, which defines it, too): glibc's iconv loads a gconv
  // module (CP1252.so, ...) for every character set it does not build in, from its gconv
  // folder, found through gconv-modules.
  bool names_iconv = false;

  // Same class, byte order and machine: what ld.so checks before accepting a library.
  bool compatible_with(const DynamicInfo& other) const {
    return is_64 == other.is_64 && big_endian == other.big_endian && machine == other.machine;
  }
};

// Parses an ELF file through `read`; `size` is the file's size. Not an ELF file, a truncated
// header or tables pointing outside the file are errors.
Result<DynamicInfo> read_dynamic(const ReadAt& read, uint64_t size);
Result<DynamicInfo> read_dynamic_bytes(std::string_view bytes);
Result<DynamicInfo> read_dynamic_fd(int fd);

// Docker's architecture name (GOARCH) of an object's machine and class: "amd64", "arm64",
// "386", "arm", "ppc64le", "s390x", "riscv64"; "" for others.
std::string docker_architecture(const DynamicInfo& info);
std::string docker_architecture(uint16_t machine, bool is_64);

}  // namespace pith::elf
