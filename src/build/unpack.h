// `--from IMAGE`: the image's root filesystem (layers applied in order, whiteouts honoured)
// written below a fresh directory, so the build can read it as a root like any other.
#pragma once

#include <string>

#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::build {

// Writes every layer of `img` into `dir` (empty, owned by the caller). Paths never leave `dir`:
// each parent is resolved inside it as a chroot would (RootDir, whose walk budget also bounds a
// maze of symlinks), each final name created with *at calls that do not follow symlinks.
// Whiteouts follow fs/whiteout.h (".wh..." is an error, never a removal of `dir`'s parent);
// sparse files stay sparse. Devices and fifos are skipped (a build copies files, not nodes).
// With `keep_owners` (a slim, whose image keeps the files' owners), owners, modes and xattrs
// are kept as the tar has them.
Result<void> unpack_image(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const std::string& dir, bool keep_owners = false);

}  // namespace pith::build
