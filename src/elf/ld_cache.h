// /etc/ld.so.cache as glibc's ldconfig writes it: the "glibc-ld.so.cache1.1" format, the old
// "ld.so-1.7.0" format, and the old one followed by the new (where ld.so reads the new part).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::elf {

// Entry flags (glibc's ldconfig.h): the ELF type in the low byte, the ABI in the next.
inline constexpr int32_t k_cache_flag_elf = 0x0001;
inline constexpr int32_t k_cache_flag_elf_libc6 = 0x0003;
inline constexpr int32_t k_cache_flag_x8664_lib64 = 0x0300;
inline constexpr int32_t k_cache_flag_aarch64_lib64 = 0x0a00;

struct CacheEntry {
  std::string name;  // the soname, e.g. "libz.so.1"
  std::string path;  // where it is, e.g. "/lib/x86_64-linux-gnu/libz.so.1"
  int32_t flags = 0;
  // The glibc-hwcaps subdirectory this entry is for ("x86-64-v3"); "" for the baseline.
  std::string hwcaps;
  uint64_t hwcap = 0;  // raw hwcap word (legacy hwcap bits when not a glibc-hwcaps index)
};

struct LdCache {
  std::vector<CacheEntry> entries;  // in file order, as `ldconfig -p` prints them

  // Entries named `name` that an object whose cache flags are `flags` may load (ld.so's
  // _dl_cache_check_flags: the same flags, or plain ELF), baseline entries before the
  // glibc-hwcaps ones.
  std::vector<const CacheEntry*> lookup(std::string_view name, int32_t flags) const;
};

// Parses the bytes of an ld.so.cache. Strings and tables pointing outside the file are errors.
Result<LdCache> parse_ld_cache(std::string_view bytes);

}  // namespace pith::elf
