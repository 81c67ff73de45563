// Package metadata for a distroless image: for the files an image takes from a root, the
// records of the OS packages that own them, written the way Google's distroless images do, so
// scanners (trivy, syft, pith inspect) list those packages in the result.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "catalog/package.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::build {

// A file the build generates (not copied from the root).
struct GeneratedFile {
  std::string path;  // absolute, inside the image
  std::string content;
  uint32_t mode = 0644;
};

struct PackageMetadata {
  // dpkg: /var/lib/dpkg/status.d/<name> (the package's stanza from the root's status file) and
  // /var/lib/dpkg/status.d/<name>.md5sums (its md5sums lines for the included files only).
  // apk: /lib/apk/db/installed with the owning packages' records, file lists cut to the
  // included files. rpm: /var/lib/rpm/rpmdb.sqlite holding the owning packages' headers.
  std::vector<GeneratedFile> files;
  // The owning packages, sorted by name.
  std::vector<catalog::Package> packages;
  // Databases or records that could not be read (the build goes on without them).
  std::vector<catalog::Warning> warnings;
};

// `included` holds canonical absolute paths (no symlink in any component) of the regular files
// the image takes from `root`; a package database that lists a file under another name
// (/lib/x86_64-linux-gnu/libc.so.6 on a merged-/usr root) still matches, by canonical path.
// A root with no package database gives an empty result. `cache_dir`: where an index of the
// root's dpkg file lists is kept between builds (see dpkg_list_index.h); "" for none (a root
// read once, such as an unpacked image, gains nothing from it).
Result<PackageMetadata> package_metadata(const RootDir& root, const std::set<std::string>& included,
                                         const std::string& cache_dir = "");

}  // namespace pith::build
