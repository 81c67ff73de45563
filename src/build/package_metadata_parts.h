// The pieces of package_metadata shared by its per-database files (dpkg, apk, rpm): reading a
// database of the root, and matching the paths a database lists against the included files.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "build/package_metadata.h"

namespace pith::build::detail {

// Decides which paths a package database lists are files the image includes. Databases list
// paths as the package wrote them (/lib/x86_64-linux-gnu/libc.so.6) while `included` holds
// canonical ones (/usr/lib/..., merged /usr): the directory part is resolved in the root, once
// per directory; the last component is compared as it is, since an included path is a
// regular file (a symlink a package lists leads to some other listed file).
class PathMatcher {
 public:
  PathMatcher(const RootDir& root, const std::set<std::string>& included);

  // The canonical path of `path` (absolute, as a database lists it) when the image includes
  // that file; nullopt otherwise, also when a directory on the way does not exist.
  std::optional<std::string> included(std::string_view path);
  // The canonical paths of the included files among `paths`, sorted, each once.
  std::vector<std::string> owned(const std::vector<std::string>& paths);
  // The last components of the included paths: a listed path can only be included when its
  // last component is one of these.
  const std::set<std::string, std::less<>>& names() const { return m_names; }

 private:
  const RootDir& m_root;
  const std::set<std::string>& m_included;
  std::set<std::string, std::less<>> m_names;  // last components of the included paths
  std::unordered_map<std::string, std::optional<std::string>> m_dirs;  // dir -> canonical
};

// A database file of the root: nullopt without a word when it does not exist, nullopt and a
// warning naming it when it cannot be read.
std::optional<std::string> read_database(const RootDir& root, const std::string& path,
                                         uint64_t limit, std::vector<catalog::Warning>& warnings);

// What each kind of database adds to `out` (files, packages, warnings); nothing when the root
// has no such database.
// `cache_dir`: where dpkg's index of its lists is kept between builds ("": no index).
void add_dpkg_metadata(const RootDir& root, PathMatcher& matcher, const std::string& cache_dir,
                       PackageMetadata& out);
void add_apk_metadata(const RootDir& root, PathMatcher& matcher, PackageMetadata& out);
void add_rpm_metadata(const RootDir& root, PathMatcher& matcher, PackageMetadata& out);

}  // namespace pith::build::detail
