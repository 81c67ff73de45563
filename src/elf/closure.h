// The dynamic loader, emulated on a root filesystem: which files a program needs at run time
// (its interpreter, the shared libraries it and they need, and what glibc loads with dlopen),
// found the way glibc's ld.so and musl's loader find them, so an image can hold only those.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "elf/loader_root.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::elf {

struct ClosureOptions {
  // LD_LIBRARY_PATH as the program's environment will set it (from `--env`), split on ':'.
  std::vector<std::string> ld_library_path;
  // Also add the NSS modules that the root's /etc/nsswitch.conf names and libc does not
  // contain, and libgcc_s when libstdc++ or libpthread is loaded (glibc dlopens both).
  bool dlopen_extras = true;
  // The nsswitch.conf the program will read, when it is not the root's own (an image that
  // ships its own "hosts: files dns" needs no NSS module the root's file names).
  std::optional<std::string> nsswitch_conf;
  // Shared objects the first dynamic program loads by path (the extension modules and plugins
  // of a directory the build adds): mapped as dlopen maps them into its namespace, their
  // DT_NEEDED searched from them. Objects of another class or machine, and files that are no
  // ELF object, are left out (no loader would map them).
  std::vector<std::string> loaded;
};

// A library nobody could find: its name (DT_NEEDED entry) and the file that needs it.
struct Missing {
  std::string name;
  std::string needed_by;
  friend bool operator==(const Missing&, const Missing&) = default;
};

// A symbol version an object needs that the library it names does not define: ld.so refuses
// to start the program ("version `GLIBC_2.34' not found (required by /app)").
struct MissingVersion {
  std::string version;    // "GLIBC_2.34"
  std::string file;       // the library that lacks it, as named: "libc.so.6"
  std::string needed_by;  // canonical path of the object that needs it
  friend bool operator==(const MissingVersion&, const MissingVersion&) = default;
};

struct Closure {
  // Canonical absolute paths of the regular files to copy: the programs themselves, the
  // interpreter, every library (each glibc-hwcaps variant present too), sorted and unique.
  std::vector<std::string> files;
  // Every symlink met on the way to those files (soname links, /lib64 -> usr/lib64, ...),
  // sorted by path and unique, so the copies are found under the names the loader uses.
  std::vector<RootDir::Link> links;
  // Libraries that could not be found, sorted; empty when the closure is complete.
  std::vector<Missing> missing;
  // Versions the loaded objects need and their libraries lack, sorted; empty when none.
  std::vector<MissingVersion> missing_versions;
  // The PT_INTERP of the first dynamic program ("" when every program is static).
  std::string interpreter;
};

// Resolves the closure of `programs` (absolute paths inside `root`), then of `options.loaded`.
// A program that is not an ELF file is an error naming it; a static one contributes only
// itself.
Result<Closure> resolve_closure(const LoaderRoot& root, const std::vector<std::string>& programs,
                                const ClosureOptions& options);

}  // namespace pith::elf
