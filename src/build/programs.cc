#include "build/programs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "elf/dynamic.h"
#include "elf/search.h"

namespace pith::build {

namespace {

// Linux reads this much of a file to find its "#!" line (BINPRM_BUF_SIZE) and follows at most
// this many interpreters before ELOOP.
constexpr size_t k_shebang_bytes = 256;
constexpr int k_max_interpreters = 4;

bool blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A "#!" line split as the kernel splits it: the interpreter, then the rest as one argument.
struct Shebang {
  std::string interpreter;
  std::string argument;
};

Result<std::optional<Shebang>> read_shebang(const RootDir& root, const std::string& path) {
  auto fd = TRY(root.open_file(path));
  char buf[k_shebang_bytes];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return std::optional<Shebang>();
  std::string_view line(buf + 2, static_cast<size_t>(n) - 2);
  line = line.substr(0, line.find('\n'));
  line = trim(line);
  size_t end = 0;
  while (end < line.size() && !blank(line[end])) ++end;
  Shebang s{std::string(line.substr(0, end)), std::string(trim(line.substr(end)))};
  if (s.interpreter.empty()) return make_error(path + ": a \"#!\" line without an interpreter");
  return std::optional<Shebang>(std::move(s));
}

// The program `env ARGUMENT` runs: the first word that is no option and no NAME=VALUE
// (`#!/usr/bin/env -S python3 -u` runs python3).
std::string env_program(std::string_view argument) {
  while (!argument.empty()) {
    argument = trim(argument);
    size_t end = 0;
    while (end < argument.size() && !blank(argument[end])) ++end;
    std::string_view word = argument.substr(0, end);
    argument.remove_prefix(end);
    if (!word.empty() && word.front() != '-' && word.find('=') == std::string_view::npos)
      return std::string(word);
  }
  return {};
}

// NAME through PATH as env (execvp) finds it: the first regular file that is executable.
Result<std::string> find_in_path(const RootDir& root, const std::string& name,
                                 const std::vector<std::string>& path) {
  if (name.find('/') != std::string::npos) return name.front() == '/' ? name : "/" + name;
  for (const auto& dir : path) {
    std::string candidate = (dir == "/" ? "" : dir) + "/" + name;
    if (!TRY(root.exists(candidate))) continue;
    auto fd = root.open_file(candidate);
    struct stat st {};
    if (fd && ::fstat(fd->get(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
      return candidate;
  }
  return make_error(name + " is in no folder of PATH (" + std::to_string(path.size()) +
                    " searched)");
}

}  // namespace

Result<std::vector<std::string>> script_interpreters(const RootDir& root,
                                                     const std::string& program,
                                                     const std::vector<std::string>& path) {
  std::vector<std::string> out;
  std::string current = program;
  for (int depth = 0;; ++depth) {
    auto shebang = TRY(read_shebang(root, current));
    if (!shebang) return out;
    if (depth == k_max_interpreters)
      return make_error(program + ": more than " + std::to_string(k_max_interpreters) +
                        " interpreters in a row (#!)");
    const std::string& interp = shebang->interpreter;
    if (!TRY(root.exists(interp)))
      return make_error(current + ": its interpreter " + interp + " (#!) is not in " + root.dir());
    out.push_back(interp);
    std::string base = interp.substr(interp.rfind('/') + 1);
    if (base == "env") {
      std::string name = env_program(shebang->argument);
      if (!name.empty()) {
        auto found = find_in_path(root, name, path);
        if (!found) return std::move(found).error().wrap(current + ": #!" + interp);
        out.push_back(*found);
        current = *found;
        continue;
      }
    }
    current = interp;
  }
}

ElfFiles elf_files(const RootDir& root, const std::vector<std::string>& files) {
  ElfFiles out;
  for (const auto& file : files) {
    auto fd = root.open_file(file);
    if (!fd) continue;
    auto info = elf::read_dynamic_fd(fd->get());
    if (!info) continue;  // no ELF object: nothing loads it
    if (!info->interpreter.empty())
      out.programs.push_back(file);
    else if (info->has_dynamic)
      out.objects.push_back(file);
  }
  return out;
}

Result<oci::Platform> program_platform(const RootDir& root, const std::string& program,
                                       const std::optional<oci::Platform>& wanted) {
  auto fd = TRY(root.open_file(program));
  auto info = TRY(elf::read_dynamic_fd(fd.get()).wrap(program));
  // Docker's names (GOARCH), by ELF machine and class.
  struct Arch {
    uint16_t machine;
    bool is_64;
    const char* name;
  };
  static constexpr Arch k_arches[] = {
      {elf::k_em_x86_64, true, "amd64"},  {elf::k_em_aarch64, true, "arm64"},
      {elf::k_em_386, false, "386"},      {elf::k_em_arm, false, "arm"},
      {elf::k_em_ppc64, true, "ppc64le"}, {elf::k_em_s390, true, "s390x"},
      {elf::k_em_riscv, true, "riscv64"},
  };
  oci::Platform found;
  found.os = "linux";
  for (const auto& a : k_arches)
    if (a.machine == info.machine && a.is_64 == info.is_64) found.architecture = a.name;
  if (found.architecture.empty())
    return make_error(program + ": ELF machine " + std::to_string(info.machine) +
                      " is no architecture pith builds images for");
  if (!wanted) return found;
  if (wanted->os != found.os || wanted->architecture != found.architecture)
    return make_error("--platform " + wanted->str() + ": " + program + " is a " + found.str() +
                      " program");
  return *wanted;  // its variant kept: the ELF header does not tell v7 from v6, v8 from v9
}

std::vector<std::string> path_dirs(const std::vector<std::string>& env) {
  std::string_view value;
  for (const auto& kv : env)
    if (kv.rfind("PATH=", 0) == 0) value = std::string_view(kv).substr(5);
  return elf::split_search_path(value, ":");
}

}  // namespace pith::build
