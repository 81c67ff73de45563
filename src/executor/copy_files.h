// COPY and ADD: the files chosen from a source tree (the build context, or another stage's or
// image's root), then written into the stage's mounted root, with Docker's rules:
// - a source directory's contents go into the destination (the directory itself does not);
// - a source file goes to DEST/NAME when DEST ends with "/", is an existing directory, or
//   several sources (or a wildcard) were given; else it becomes DEST;
// - missing parents of DEST are made 0755 root:root; a directory made by the copy takes the
//   source directory's metadata, one that existed keeps its own;
// - owners: --chown's, else 0:0 from the context and the source's own from a stage or image;
//   modes as in the source unless --chmod; mtimes kept; hard links within one copy kept;
// - ADD extracts a local tar archive into DEST instead of copying it,
//   owners as in the archive unless --chown (gzip, zstd, bzip2, xz, lzma or none);
// - --parents (BuildKit's): a source keeps its path below the root (below a "/./" in the path
//   as written, when there is one), e.g. `COPY --parents a/b/c.txt /d/` makes /d/a/b/c.txt.
// Source paths never leave their root: ".." stops at it and symlinks resolve inside it.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "dockerfile/dockerignore.h"
#include "util/result.h"

namespace pith::executor {

struct SourceEntry {
  std::string host;  // its path on the host
  std::string rel;   // below the chosen source ("" for the source itself)
  struct stat st {};
};

struct ChosenSource {
  std::string name;                  // the last name of the source path
  std::string path;                  // the path below the root as chosen; after a "/./" pivot
  std::vector<SourceEntry> entries;  // the source first, then what lies below it, parents first
  bool is_dir() const { return S_ISDIR(entries.front().st.st_mode); }
};

struct CopySelection {
  std::vector<ChosenSource> sources;
  bool many = false;  // several sources or a wildcard: the destination is a directory
};

struct SourceTree {
  std::string root;                                   // host directory
  const dockerfile::IgnoreMatcher* ignore = nullptr;  // the context's .dockerignore
  std::vector<std::string> excludes;                  // COPY --exclude patterns
};

// The entries of `sources` (paths as written, wildcards allowed) under `tree.root`.
// "no such file" and "no source files were specified" are errors, as in Docker.
Result<CopySelection> choose_sources(const SourceTree& tree,
                                     const std::vector<std::string>& sources);

// What the selection holds, for the cache key: names, types, modes, sizes, link targets, file
// contents' sha256 and (when `owners`) owners; never times.
std::string selection_digest(const CopySelection& selection, bool owners);

struct CopyTarget {
  std::string root;                  // the mounted root, on the host
  std::string dest;                  // absolute in the image; a trailing "/" kept
  std::optional<uint32_t> uid, gid;  // --chown
  bool keep_owners = false;          // from a stage or an image (not the context)
  std::optional<mode_t> chmod;       // --chmod
  bool extract_archives = false;     // ADD
  bool parents = false;              // COPY --parents: DEST/<source path> instead of DEST/<name>
  std::string scratch;               // where ADD extracts an archive first ("": $TMPDIR)
};

Result<void> copy_into(const CopySelection& selection, const CopyTarget& target);

// --chmod's value: octal, at most 07777.
Result<mode_t> parse_chmod(const std::string& text);

}  // namespace pith::executor
