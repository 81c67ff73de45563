// The ELF closure of a plan's programs added to the plan: every library the loader will map,
// the symlinks it finds them through, and the root's ld.so.cache when the image's ld.so needs it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "build/plan.h"
#include "elf/closure.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::build {

struct LibraryOptions {
  elf::ClosureOptions closure;
  bool allow_missing = false;  // a library not found warns instead of failing
  // The entrypoint's canonical path in the root: planned by the caller, not counted.
  std::string program_file;
  // For a host entrypoint (planned under /app), its path in the host root: the links on the
  // way to it are not recreated in the image.
  std::string host_program;
};

struct LibrariesAdded {
  elf::Closure closure;
  size_t libraries = 0;  // files of the closure besides the program
};

// Resolves the closure of `programs` (absolute paths in `root`) and plans it in the libs
// layer. Libraries that are not found fail the call, naming them, unless `allow_missing`.
Result<LibrariesAdded> add_libraries(Plan& plan, const RootDir& root,
                                     const std::vector<std::string>& programs,
                                     const LibraryOptions& options,
                                     const std::function<void(const std::string&)>& warn);

// LD_LIBRARY_PATH's directories as `env` ("K=V" entries) sets it.
std::vector<std::string> library_path(const std::vector<std::string>& env);

}  // namespace pith::build
