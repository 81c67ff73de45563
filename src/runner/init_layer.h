// The init layer of a run: the mountpoints runc needs (/proc, /sys, /dev, and the files it
// bind-mounts over /etc/hosts, /etc/resolv.conf, /etc/hostname; the targets of the RUN's
// mounts), in a lower dir of their own above the image's layers. Made there, they never reach
// the upper dir, so the RUN's layer holds no stub the image did not have (BuildKit removes
// the stubs it made once the RUN ends, MountStubsCleaner: the same layer).
#pragma once

#include <string>
#include <vector>

#include "runner/lower_view.h"

namespace pith::runner {

// The mountpoints, relative to the root.
const std::vector<std::string>& mountpoint_stubs();

// Where one of the RUN's mounts goes: an absolute path in the container, and whether a
// directory or a file is mounted there.
struct MountTarget {
  std::string path;
  bool directory = true;
};

// Fills the empty directory `dir` with the stubs the image (`image`) lacks or holds as the
// wrong kind of file (a symlink /etc/resolv.conf, say); a directory they need (/etc) is made
// with the image's owner, mode and mtime when the image has it, as overlayfs shows the top
// layer's. Then the `targets` the image lacks, its symlinks followed as runc follows them,
// with any directory above them it lacks (0755, root's: as runc's mkdir makes them; they
// reach the layer only if the RUN writes into them, as BuildKit keeps a stub directory that
// is not empty). Returns the stubs made: the ones the RUN's layer must leave out.
Result<std::vector<std::string>> make_init_layer(const std::string& dir, const LowerView& image,
                                                 const std::vector<MountTarget>& targets = {});

}  // namespace pith::runner
