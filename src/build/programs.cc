#include "build/programs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "elf/dynamic.h"
#include "elf/search.h"
#include "lint/command.h"

namespace pith::build {

namespace {

Result<std::optional<lint::Shebang>> read_shebang(const RootDir& root, const std::string& path) {
  auto fd = TRY(root.open_file(path));
  char buf[lint::k_shebang_bytes];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  auto shebang = lint::parse_shebang(std::string_view(buf, n < 0 ? 0 : static_cast<size_t>(n)));
  if (shebang && shebang->interpreter.empty())
    return make_error(path + ": a \"#!\" line without an interpreter");
  return shebang;
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
    if (depth == lint::k_max_interpreters)
      return make_error(program + ": more than " + std::to_string(lint::k_max_interpreters) +
                        " interpreters in a row (#!)");
    const std::string& interp = shebang->interpreter;
    if (!TRY(root.exists(interp)))
      return make_error(current + ": its interpreter " + interp + " (#!) is not in " + root.dir());
    out.push_back(interp);
    std::string base = interp.substr(interp.rfind('/') + 1);
    if (base == "env") {
      std::string name = lint::env_program(shebang->argument);
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
  oci::Platform found;
  found.os = "linux";
  found.architecture = elf::docker_architecture(info);
  if (found.architecture.empty())
    return make_error(program + ": ELF machine " + std::to_string(info.machine) +
                      " is no architecture pith builds images for");
  if (!wanted) return found;
  if (wanted->os != found.os || wanted->architecture != found.architecture)
    return make_error("--platform " + wanted->str() + ": " + program + " is a " + found.str() +
                      " program");
  return *wanted;  // its variant kept: the ELF header does not tell v7 from v6, v8 from v9
}

}  // namespace pith::build
