// The root filesystem a build (or a slim) reads its files from: a directory as it is, or an
// image's layers unpacked into a private temporary directory.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "oci/config.h"
#include "oci/descriptor.h"
#include "oci/digest.h"
#include "transport/reference.h"
#include "transport/registry_options.h"
#include "util/file.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::build {

struct Root {
  std::optional<TempDir> unpacked;  // holds the image's files (rootfs/), removed with the Root
  std::optional<RootDir> dir;
  std::map<std::string, std::string> annotations;  // base.name / base.digest
  std::optional<oci::ImageConfig> config;          // the image's, when the root is an image
  uint64_t image_size = 0;                         // its layers' stored bytes
};

// `from`: a directory holding no image (rootfs:DIR, or a plain one) is a root as it is; any
// other reference names an image, whose layers are unpacked confined to a fresh directory
// (its rootfs/ below a 0700 folder, so the image's setuid files are out of other users' reach
// meanwhile); `keep_owners` as unpack_image's. Errors begin with `flag` and the reference
// ("--from REF: ..."), or the reference alone when `flag` is "".
Result<Root> open_root(const std::string& from, const std::optional<oci::Platform>& platform,
                       const transport::RegistryOptions& registry, bool keep_owners = false,
                       const std::string& flag = "--from");

// The manifest annotations of an image built --from `from`: base.digest, and base.name when
// `from` is a registry image (docker://), as its reference without the transport
// ("docker.io/library/debian:12"): the image-spec wants a registry reference there, which an
// archive or a layout has none of.
std::map<std::string, std::string> base_annotations(const transport::ImageRef& from,
                                                    const oci::Digest& digest);

}  // namespace pith::build
