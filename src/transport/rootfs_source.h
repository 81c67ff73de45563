// `dir:PATH`: a root filesystem, as a directory or a (compressed) tarball, read as a
// one-layer image whose config names the host platform.
#pragma once

#include <memory>
#include <string>

#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ImageSource>> open_rootfs_source(const std::string& path);

}  // namespace pith::transport
