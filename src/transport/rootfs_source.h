// `rootfs:PATH`: a root filesystem, as a directory or a (compressed) tarball, read as a
// one-layer image. Its platform is the one its ELF files are built for (the architecture most
// of them share); `wanted` (--platform) must be one of theirs. A root without ELF files takes
// `wanted`, or the host's platform.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "oci/descriptor.h"
#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ImageSource>> open_rootfs_source(
    const std::string& path, const std::optional<oci::Platform>& wanted = std::nullopt);

}  // namespace pith::transport
