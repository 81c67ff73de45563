// FROM: the image a stage starts from, as an ImageState whose layers stay where they are.
// `scratch` is the empty image; a name without a transport is a registry image as podman
// reads it (a short name through registries.conf's aliases and search list: short_names.h); any
// other pith reference (oci:, oci-archive:, docker-archive:, containers-storage:, docker-daemon:,
// rootfs:) is read in place, each build. Registry images are pulled into the store's layout once
// and used from there afterwards (podman's --pull=missing), unless Pull::always.
#pragma once

#include <optional>
#include <string>

#include "executor/image.h"
#include "oci/descriptor.h"
#include "transport/registry_options.h"

namespace pith::executor {

enum class Pull { missing, always, never };

struct BaseOptions {
  transport::RegistryOptions registry;
  Pull pull = Pull::missing;
};

struct BaseImage {
  ImageState state;
  std::optional<oci::Digest> digest;  // of its manifest; none for scratch
  std::string name;                   // a registry image's reference ("docker.io/library/x:1")
  std::string described;              // as shown: the reference, its digest
};

Result<BaseImage> open_base(const std::string& text, const oci::Platform& platform, Blobs& blobs,
                            const BaseOptions& options);

}  // namespace pith::executor
