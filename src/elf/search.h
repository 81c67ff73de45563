// Where a loader looks for a library in a root: glibc's or musl's fixed directories, the
// root's ld.so.cache (or ld.so.conf when no cache was generated), and the expansion of
// $ORIGIN, $LIB and $PLATFORM in search paths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/dynamic.h"
#include "elf/ld_cache.h"
#include "elf/loader_root.h"
#include "util/result.h"

namespace pith::elf {

enum class LoaderKind { glibc, musl };

// What the loader of one program knows before it loads anything.
struct SearchEnv {
  LoaderKind kind = LoaderKind::glibc;
  std::optional<LdCache> cache;           // ROOT's /etc/ld.so.cache (glibc)
  std::vector<std::string> conf_dirs;     // ROOT's ld.so.conf dirs, used when there is no cache
  std::vector<std::string> default_dirs;  // glibc's system dirs, or musl's library path
  std::string lib;                        // what $LIB expands to
  std::string platform;                   // what $PLATFORM expands to
  int32_t cache_flags = k_cache_flag_elf_libc6;
};

// The environment of `program` (its class and machine), loaded by `interpreter` in ROOT.
Result<SearchEnv> make_search_env(const LoaderRoot& root, const DynamicInfo& program,
                                  std::string_view interpreter);

// Expands $ORIGIN (to `origin`), $LIB and $PLATFORM, in `$X` and `${X}` forms (musl: $ORIGIN
// only); other `$` sequences stay as written, as ld.so leaves them.
std::string expand_tokens(std::string_view element, const std::string& origin,
                          const SearchEnv& env);

// The elements of a search path split on any of `separators`, empty ones dropped (they would
// mean the current directory, which a container's loader does not share with the build).
std::vector<std::string> split_search_path(std::string_view path, std::string_view separators);

// The multiarch triplet of a machine and class ("x86_64-linux-gnu"), "" when unknown.
std::string multiarch_triplet(const DynamicInfo& info);

// Whether an interpreter path is musl's loader ("/lib/ld-musl-x86_64.so.1"); `arch` gets its
// architecture name.
bool is_musl_interpreter(std::string_view interpreter, std::string* arch);

// Names musl's loader answers itself (libc, libpthread, libm, ...): never searched.
bool is_musl_builtin(std::string_view name);

}  // namespace pith::elf
