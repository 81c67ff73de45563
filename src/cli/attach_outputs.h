// What `pith build --sbom` does for its docker:// outputs: the SBOM attached to each image
// just pushed, as an OCI 1.1 referrer (registry/referrers.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oci/digest.h"
#include "transport/registry_options.h"
#include "util/result.h"

namespace pith::cli {

struct AttachedFile {
  std::string media_type;  // the artifactType and the layer's media type
  std::string content;
  std::string title;    // org.opencontainers.image.title of the layer ("sbom.spdx.json")
  int64_t created = 0;  // seconds since 1970: org.opencontainers.image.created
};

// For every output that is a docker:// reference, attaches `file` to the manifest its push
// reported (`digest`); prints one line each unless `quiet`. Other outputs are left alone.
Result<void> attach_to_registry_outputs(
    const std::vector<std::pair<std::string, oci::Digest>>& outputs, const AttachedFile& file,
    const transport::RegistryOptions& registry, bool quiet);

}  // namespace pith::cli
