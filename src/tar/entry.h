// One entry of a tar stream, as pith models it (layer tars and the archives around them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "util/limits.h"

namespace pith::tar {

enum class EntryType { regular, directory, symlink, hardlink, char_device, block_device, fifo };

struct Entry {
  // Normalised path relative to the root, no leading "/" or "./", no "." or ".." components,
  // no trailing "/"; "" is the root itself.
  std::string path;
  EntryType type = EntryType::regular;
  uint32_t mode = 0;  // permission bits including setuid/setgid/sticky (07777)
  uint64_t uid = 0;
  uint64_t gid = 0;
  std::string uname;
  std::string gname;
  uint64_t size = 0;  // content bytes (regular files only)
  int64_t mtime = 0;
  // Symlink target as written; for hard links the normalised path of the target entry.
  std::string link_target;
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::map<std::string, std::string> xattrs;  // pax SCHILY.xattr.* (e.g. security.capability)
};

// Normalises an archive path ("./a//b/", "/a/b") to "a/b". Fails (returns false) on paths
// that climb out of the root with "..".
bool normalize_path(std::string_view in, std::string& out);
// The same, but ".." at the root stays at the root, as the kernel resolves it inside a chroot
// (for symlink targets resolved within an image's root).
std::string normalize_path_in_root(std::string_view in);

// Checks an entry's path and link target against the kernel's PATH_MAX and NAME_MAX
// (util/limits.h), which no runtime can unpack past: "" if they fit, else why.
std::string check_limits(const Entry& e);
// A path for an error message: long ones cut to their first 100 bytes plus their length.
std::string shown_path(std::string_view path);

char type_char(EntryType t);  // 'd', '-', 'l', 'h', 'c', 'b', 'p' as in `ls -l` / `tar -tv`
std::string mode_string(const Entry& e);  // "drwxr-xr-x", with s/S/t/T as `ls` prints them

}  // namespace pith::tar
