// Layer tars applied to a directory, confined to it: the one unpacker of pith, for the build's
// `--from` root (whiteouts applied, files only) and the runner's layer store (each layer alone,
// whiteouts kept in overlayfs's own format, every node and owner as in the tar).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tar/layer_reader.h"
#include "util/file.h"
#include "util/root_dir.h"

namespace pith::fs {

struct UnpackOptions {
  enum class Whiteouts {
    apply,    // ".wh.NAME" removes NAME, ".wh..wh..opq" empties its directory
    overlay,  // kept as overlayfs marks them: NAME a 0:0 character device, the directory
              // xattr trusted.overlay.opaque=y (the layer is an overlay lower dir)
  };
  enum class Metadata {
    drop,  // files owned by whoever unpacks, no devices or fifos (a build copies files)
    keep,  // owners, xattrs, mtimes, devices and fifos as in the tar (a root to run)
  };
  Whiteouts whiteouts = Whiteouts::apply;
  Metadata metadata = Metadata::drop;
};

// Paths never leave the directory: each parent is resolved inside it as a chroot would
// (RootDir, whose walk budget also bounds a maze of symlinks), each final name created with *at
// calls that do not follow symlinks. Whiteouts follow fs/whiteout.h (".wh..." is an error,
// never a removal of the directory's parent); sparse files stay sparse. With Metadata::keep,
// xattrs under trusted.overlay. are refused: in a lower dir they would steer overlayfs.
class Unpacker {
 public:
  static Result<Unpacker> open(const std::string& dir, UnpackOptions options);

  Result<void> apply(const tar::Entry& e, tar::EntryContent& content);
  // Sets the directories' mtimes (Metadata::keep): last, as every entry made in a directory
  // changes its mtime.
  Result<void> finish();

 private:
  Unpacker(RootDir root, UnpackOptions options) : m_root(std::move(root)), m_options(options) {}

  Result<void> apply_marker(const tar::Entry& e);
  Result<void> create(int dir, const std::string& name, const tar::Entry& e,
                      tar::EntryContent& content);
  Result<void> keep_metadata(int dir, const std::string& name, const tar::Entry& e);
  Result<int> parent_dir(const std::string& path);
  void forget_parents();

  RootDir m_root;
  UnpackOptions m_options;
  UniqueFd m_parent;  // the last parent directory, kept: entries come grouped by directory
  std::string m_parent_path;
  std::vector<std::pair<std::string, int64_t>> m_dir_mtimes;
};

}  // namespace pith::fs
