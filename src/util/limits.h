// The bounds pith holds every image to, in one place (docs/limits.md explains each and what
// pith does at it). They are far above what real images need and low enough that a crafted
// image cannot make pith crash, hang, or fill the memory or the disk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pith {

// The kernel's PATH_MAX (4096 with its NUL) and NAME_MAX: no runtime can unpack a path or a
// symlink target longer, nor a name longer. Paths are also held to it once symlinks are followed.
inline constexpr size_t k_max_path_bytes = 4095;
inline constexpr size_t k_max_name_bytes = 255;
// Symlinks followed while resolving one path: the kernel's MAXSYMLINKS.
inline constexpr int k_max_symlinks = 40;
// Lookups a root directory may make in all (RootDir: unpacking a layer, resolving a program's
// libraries), a few seconds of system calls at most. A real unpack makes about one per
// directory (entries come grouped by directory, and a path without symlinks is one lookup); a
// maze of long symlink chains makes tens of thousands per entry, and stops here with an error
// instead of running for minutes.
inline constexpr uint64_t k_max_walk_steps = uint64_t{1} << 20;
// Files, directories and whiteouts in one image, over all its layers, and nodes in its
// squashed tree (implied directories included). The largest real images hold well under a
// million.
inline constexpr size_t k_max_entries = size_t{2} << 20;
// Bytes of package databases and system files (passwd, os-release) inspect keeps from all the
// layers until they are merged: every version of /var/lib/dpkg/status each layer wrote, say.
// Real images keep a few megabytes; past this, further files are skipped with a warning.
inline constexpr uint64_t k_max_kept_bytes = uint64_t{1} << 30;
// Zero bytes of sparse files' holes hashed for an SBOM's file checksums, over one image. Holes
// cost nothing to store: a layer of kilobytes can declare exabytes of them. A real image's
// sparse files (a database's preallocated file, say) hold a few hundred MB at most.
inline constexpr uint64_t k_max_hashed_hole_bytes = uint64_t{1} << 30;
// Bytes of the paths (and link targets) of all entries of an image, and of all the paths of its
// squashed tree, about what `pith ls` prints: a real image of a million files has paths of ~100
// bytes (100 MB). Entries with 4 kB paths compress to almost nothing; a few thousand deep paths
// in distinct directories imply millions of directories, each repeating a 4 kB path.
inline constexpr uint64_t k_max_path_bytes_total = uint64_t{256} << 20;
// Path components the squash may walk in all, following symlinks (in memory, ~50 ns each). A
// real image walks a few per directory; a maze of symlinks to long paths, thousands per entry.
inline constexpr uint64_t k_max_tree_steps = uint64_t{1} << 26;
// Layers of one image: overlayfs stacks at most 128 or so (Docker's overlay2 refuses more
// than 125); OCI sets no bound, pith takes ten times Docker's.
inline constexpr size_t k_max_layers = 1280;
// Manifests and indexes visited while resolving or copying one reference (nested indexes,
// each visited once).
inline constexpr size_t k_max_manifests = 4096;
// Index nesting: an index may point to an index, at most this deep.
inline constexpr int k_max_index_depth = 4;

}  // namespace pith
