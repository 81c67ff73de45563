// A directory used as a root filesystem, as a chroot would see it: absolute symlinks resolve
// inside it and `..` stops at its top, so reading a foreign or untrusted tree never escapes it.
// Walks hold one descriptor at a time, however deep the path, and count their lookups: past
// k_max_walk_steps (util/limits.h) in all, a walk fails instead of running for minutes through a
// maze of symlink chains. Not for use by several threads at once.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/file.h"
#include "util/limits.h"
#include "util/result.h"

namespace pith {

class RootDir {
 public:
  // A symlink met while resolving a path: its absolute path inside the root and its target
  // exactly as stored (relative or absolute).
  struct Link {
    std::string path;
    std::string target;
    friend bool operator==(const Link&, const Link&) = default;
  };
  // What a path names once every symlink is followed: its canonical absolute path (no symlink
  // in any component) and the symlinks met on the way, in order. Recreating those links and the
  // canonical file in another tree makes the original path work there too.
  struct Resolved {
    std::string path;
    std::vector<Link> links;
  };

  // `walk_budget`: the lookups all walks may make together.
  static Result<RootDir> open(const std::string& dir, uint64_t walk_budget = k_max_walk_steps);

  const std::string& dir() const { return m_dir; }

  // Follows `path` (absolute; "/" is the root) component by component like the kernel inside
  // a chroot (at most 40 symlinks). Fails when a component does not exist or links loop.
  Result<Resolved> resolve(std::string_view path) const;
  // lstat of a path inside the root (symlinks in its directories are followed, not the last).
  Result<struct stat> lstat(std::string_view path) const;
  // Whether the path exists once followed (false on ENOENT/ENOTDIR; other errors fail).
  Result<bool> exists(std::string_view path) const;
  Result<UniqueFd> open_file(std::string_view path) const;  // O_RDONLY, follows symlinks
  Result<std::string> read_file(std::string_view path, uint64_t limit) const;
  Result<std::string> read_link(std::string_view path) const;
  // Names in a directory (no "." or ".."), sorted.
  Result<std::vector<std::string>> list(std::string_view dir) const;

  enum class Create { no, yes };
  // The directory `path` names, every component followed, as an O_PATH descriptor. With
  // Create::yes, missing components are made (0755) as `mkdir -p` would inside a chroot, and a
  // dangling symlink on the way gets what it points to made (as containerd's unpacker does);
  // a directory whose path would pass PATH_MAX is an error. With Create::no, a missing one
  // gives an empty descriptor.
  Result<UniqueFd> open_dir(std::string_view path, Create create) const;

 private:
  enum class Follow { yes, no };
  struct Walk;
  Result<Walk> walk(std::string_view path, Follow follow_last, Create create, int* err) const;

  RootDir(std::string dir, UniqueFd fd, uint64_t budget)
      : m_dir(std::move(dir)), m_fd(std::move(fd)), m_budget(budget) {}
  std::string m_dir;
  UniqueFd m_fd;
  uint64_t m_budget;
  mutable uint64_t m_steps = 0;  // components walked so far, against m_budget
};

}  // namespace pith
