// What else the image must hold for its programs to start: the interpreters behind a script's
// "#!" line, and the ELF files among the files a build adds (each one loaded by something, so
// each one's libraries must come along).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/descriptor.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::build {

// The programs the kernel runs for `program` when it is a script: its "#!" interpreter and,
// for "#!/usr/bin/env NAME", NAME as env finds it through `path` (the image's PATH), followed
// through interpreters that are scripts themselves (at most 4, as Linux allows). Absolute
// paths in the root, the script's own interpreter first; empty when `program` is no script.
// An interpreter missing from the root is an error naming it.
Result<std::vector<std::string>> script_interpreters(const RootDir& root,
                                                     const std::string& program,
                                                     const std::vector<std::string>& path);

// The ELF files among `files` (paths in the root): `programs` have an interpreter and are
// started on their own; `objects` are shared objects a program loads by path (extension
// modules, plugins). Static programs, and files that are no ELF object, are in neither.
struct ElfFiles {
  std::vector<std::string> programs;
  std::vector<std::string> objects;
};
ElfFiles elf_files(const RootDir& root, const std::vector<std::string>& files);

// The platform of the files a program runs: "linux" and the architecture of its ELF machine
// and class (x86-64 amd64, AArch64 arm64, ...). With `wanted` (from --platform), an error when
// they differ, as an image so labelled would not run where its label says.
Result<oci::Platform> program_platform(const RootDir& root, const std::string& program,
                                       const std::optional<oci::Platform>& wanted);

}  // namespace pith::build
