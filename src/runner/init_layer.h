// The init layer of a run: the mountpoints runc needs (/proc, /sys, /dev, and the files it
// bind-mounts over /etc/hosts, /etc/resolv.conf, /etc/hostname), in a lower dir of their own
// above the image's layers. Made there, they never reach the upper dir, so the RUN's layer
// holds no stub the image did not have.
#pragma once

#include <string>
#include <vector>

#include "runner/lower_view.h"

namespace pith::runner {

// The mountpoints, relative to the root.
const std::vector<std::string>& mountpoint_stubs();

// Fills the empty directory `dir` with the stubs the image (`image`) lacks or holds as the
// wrong kind of file (a symlink /etc/resolv.conf, say); a directory they need (/etc) is made
// with the image's owner, mode and mtime when the image has it, as overlayfs shows the top
// layer's. Returns the stubs made: the ones the RUN's layer must leave out.
Result<std::vector<std::string>> make_init_layer(const std::string& dir, const LowerView& image);

}  // namespace pith::runner
