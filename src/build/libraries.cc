#include "build/libraries.h"

#include "elf/search.h"

namespace pith::build {

namespace {

std::string missing_list(const std::vector<elf::Missing>& missing) {
  std::string out;
  for (const auto& m : missing)
    out += (out.empty() ? "" : ", ") + m.name + " (" + m.needed_by + ")";
  return out;
}

bool is_ancestor_or_self(const std::string& dir, const std::string& path) {
  return path == dir ||
         (path.size() > dir.size() && path.rfind(dir, 0) == 0 && path[dir.size()] == '/');
}

// Whether glibc's ld.so in the image can find a library of the closure only through
// /etc/ld.so.cache: one lies outside its default directories (/usr/local/lib and the
// ld.so.conf.d folders are in none). A library found through RUNPATH counts too: harmless.
bool needs_loader_cache(const elf::Closure& closure, const std::string& program) {
  if (closure.interpreter.empty() || closure.interpreter.find("ld-musl") != std::string::npos)
    return false;
  for (const auto& file : closure.files) {
    if (file == program) continue;
    std::string dir = file.substr(0, file.rfind('/'));
    if (auto hw = dir.find("/glibc-hwcaps/"); hw != std::string::npos) dir.resize(hw);
    std::string parent = dir.substr(0, dir.rfind('/'));
    bool triplet = dir.find("-linux-") != std::string::npos;
    bool is_default = dir == "/lib" || dir == "/usr/lib" || dir == "/lib64" ||
                      dir == "/usr/lib64" ||
                      (triplet && (parent == "/lib" || parent == "/usr/lib"));
    if (!is_default) return true;
  }
  return false;
}

}  // namespace

Result<LibrariesAdded> add_libraries(Plan& plan, const RootDir& root,
                                     const std::vector<std::string>& programs,
                                     const LibraryOptions& options,
                                     const std::function<void(const std::string&)>& warn) {
  LibrariesAdded out;
  out.closure = TRY(elf::resolve_closure(elf::DirLoaderRoot(root), programs, options.closure));
  const elf::Closure& closure = out.closure;
  if (!closure.missing.empty()) {
    std::string list = missing_list(closure.missing);
    if (!options.allow_missing)
      return make_error("libraries not found in " + root.dir() + ": " + list +
                        " (--allow-missing to build anyway)");
    warn("libraries not found, the program may not start: " + list);
  }
  // Without the root's loader cache the image's ld.so would not find such libraries.
  if (needs_loader_cache(closure, options.program_file) && TRY(root.exists("/etc/ld.so.cache")))
    TRY(plan.add_from_root(root, "/etc/ld.so.cache", Layer::libs));
  for (const auto& link : closure.links) {
    if (!options.host_program.empty() && is_ancestor_or_self(link.path, options.host_program))
      continue;
    plan.add_symlink(link.path, link.target, Layer::libs);
  }
  for (const auto& file : closure.files) {
    if (file == options.program_file) continue;
    TRY(plan.add_from_root(root, file, Layer::libs));
    ++out.libraries;
  }
  return out;
}

std::vector<std::string> library_path(const std::vector<std::string>& env) {
  std::vector<std::string> dirs;
  for (const auto& kv : env) {
    if (kv.rfind("LD_LIBRARY_PATH=", 0) != 0) continue;
    for (auto& d : elf::split_search_path(std::string_view(kv).substr(16), ":"))
      dirs.push_back(std::move(d));
  }
  return dirs;
}

}  // namespace pith::build
