// Fuzz target: /etc/ld.so.conf read from a root as `pith build` reads it, includes and globs
// expanded through RootDir. The input is the root's files as sections (fuzz_sections.h): an
// input without "=== " headers is /etc/ld.so.conf alone; "=== PATH" makes a file of the
// section's content, "=== PATH -> TARGET" a symlink. Files are made in a scratch root that is
// emptied for every input; nothing is created outside it (no ".." component is kept, and no
// symlink is followed while making files).
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "elf/ld_conf.h"
#include "fuzz_scratch.h"
#include "fuzz_sections.h"
#include "util/file.h"
#include "util/root_dir.h"

namespace {

using namespace pith;

void check(bool ok) {
  if (!ok) std::abort();
}

// The components of a path, without "", "." and "..": it stays inside the root.
std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view c = path.substr(pos, end - pos);
    if (!c.empty() && c != "." && c != ".." && c.find('\0') == std::string_view::npos)
      out.emplace_back(c);
    pos = end + 1;
  }
  return out;
}

// Makes a file (or symlink, when `link` is set) at `path` below `root_fd`: folders are opened
// with O_NOFOLLOW and made as needed, so nothing escapes through a symlink made before.
void make(int root_fd, std::string_view path, std::string_view content, const std::string* link) {
  std::vector<std::string> parts = components(path);
  if (parts.empty() || parts.size() > 32) return;
  UniqueFd dir(::dup(root_fd));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    ::mkdirat(dir.get(), parts[i].c_str(), 0755);
    UniqueFd next(
        ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return;
    dir = std::move(next);
  }
  const char* name = parts.back().c_str();
  if (link) {
    (void)::symlinkat(link->c_str(), dir.get(), name);
    return;
  }
  UniqueFd fd(
      ::openat(dir.get(), name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return;
  (void)!::write(fd.get(), content.data(), content.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchDir scratch;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string root = scratch.path() + "/root";
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  check(::mkdir(root.c_str(), 0755) == 0);
  {
    UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));  // the root made
    check(root_fd.get() >= 0);
    for (const auto& s : pith::fuzz::split_sections(input)) {
      std::string_view header = s.header.empty() ? "etc/ld.so.conf" : s.header;
      size_t arrow = header.find(" -> ");
      if (arrow == std::string_view::npos) {
        make(root_fd.get(), header, s.content, nullptr);
      } else {
        std::string target(header.substr(arrow + 4));
        if (target.find('\0') == std::string::npos)
          make(root_fd.get(), header.substr(0, arrow), {}, &target);
      }
    }
  }

  // A lookup budget of 10,000 instead of k_max_walk_steps: a symlink maze reaches the same
  // "gave up" path a hundred times sooner (the full budget held the campaign to 2 runs/s).
  auto dirs_root = RootDir::open(root, 10000);
  check(dirs_root.ok());
  auto dirs = elf::read_ld_so_conf(elf::DirLoaderRoot(*dirs_root));
  if (dirs) {
    // Absolute, without a trailing "/", each once.
    std::set<std::string> seen;
    for (const auto& d : *dirs) {
      check(d.starts_with('/') && (d.size() == 1 || !d.ends_with('/')));
      check(seen.insert(d).second);
    }
  }
  // The text parser alone, on each section as if it were in /etc.
  for (const auto& s : pith::fuzz::split_sections(input)) {
    std::vector<std::string> listed, includes;
    elf::parse_ld_so_conf(s.content, "/etc", &listed, &includes);
    for (const auto& d : listed) check(d.starts_with('/'));
    for (const auto& i : includes) check(i.starts_with('/'));
  }
  return 0;
}
