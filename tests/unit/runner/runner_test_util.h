// Helpers of the runner's tests: directories built by hand as overlayfs leaves them
// (whiteout devices, opaque xattrs), and layer tars written in memory.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tar/tar_test_util.h"

namespace pith::test {

inline void make_file(const std::string& path, const std::string& data, mode_t mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
  ::chmod(path.c_str(), mode);
}

inline void make_dir(const std::string& path, mode_t mode = 0755) {
  std::filesystem::create_directories(path);
  ::chmod(path.c_str(), mode);
}

// overlayfs's whiteout of `path`.
inline bool make_whiteout(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  return ::mknod(path.c_str(), S_IFCHR, ::makedev(0, 0)) == 0;
}

inline bool make_opaque(const std::string& dir) {
  make_dir(dir);
  return ::setxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0;
}

inline std::string xattr(const std::string& path, const std::string& key) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), buf, sizeof buf);
  return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
}

inline tar::Entry entry(const std::string& path, tar::EntryType type, uint32_t mode,
                        uint64_t size = 0) {
  tar::Entry e;
  e.path = path;
  e.type = type;
  e.mode = mode;
  e.size = size;
  e.mtime = 1'000'000;
  return e;
}

}  // namespace pith::test
