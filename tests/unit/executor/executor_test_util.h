// Helpers of the executor's tests: trees made by hand in a scratch directory (the build
// context, or a "mounted root" that copy_into writes into), and what a path holds afterwards.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "executor/copy_files.h"
#include "runner/runner_test_util.h"
#include "test_paths.h"

namespace pith::test {

inline void make_link(const std::string& target, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ::symlink(target.c_str(), path.c_str());
}

// lstat, or a zeroed stat (st_mode 0) when the path is missing.
inline struct stat lstat_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) st = {};
  return st;
}

inline mode_t perm_of(const std::string& path) {
  return lstat_of(path).st_mode & 07777;
}

inline std::string link_of(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "<not a link>" : std::string(buf, static_cast<size_t>(n));
}

// The relative paths of a chosen source's entries, in order ("" is the source itself).
inline std::vector<std::string> rels_of(const executor::ChosenSource& source) {
  std::vector<std::string> out;
  for (const auto& e : source.entries) out.push_back(e.rel);
  return out;
}

inline std::vector<std::string> names_of(const executor::CopySelection& selection) {
  std::vector<std::string> out;
  for (const auto& s : selection.sources) out.push_back(s.name);
  return out;
}

// Every path below `dir`, relative and sorted (symlinks not followed).
inline std::vector<std::string> tree_of(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    out.push_back(e.path().lexically_relative(dir).string());  // links not resolved
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pith::test
