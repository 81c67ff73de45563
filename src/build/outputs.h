// A plan written as an image to every output: each output opened first (a wrong one fails
// before any work), the layers written once, then copied to each output as `copy` does.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "build/image.h"
#include "build/plan.h"
#include "compress/compression.h"
#include "oci/digest.h"
#include "transport/registry_options.h"
#include "transport/sink.h"
#include "util/result.h"

namespace pith {
class TransferProgress;
}

namespace pith::build {

struct WrittenImage {
  // Each output as given, with the digest its readers report (transport::CopyResult).
  std::vector<std::pair<std::string, oci::Digest>> outputs;
  uint64_t compressed_size = 0;  // of the layer blobs
  size_t files = 0;              // regular files in the image
};

// Every output, opened (nothing appears there before write_outputs has written it all), and
// the compression of the layers: as `asked`, else as the outputs want them (none when every
// output is a docker-archive, else `fallback`).
struct Outputs {
  std::vector<std::string> names;
  std::vector<std::unique_ptr<transport::ImageSink>> sinks;
  std::optional<compress::Compression> asked;
  compress::Compression compression = compress::Compression::gzip;
};
Result<Outputs> open_outputs(const std::vector<std::string>& outputs,
                             const transport::RegistryOptions& registry,
                             const std::optional<compress::Compression>& asked,
                             compress::Compression fallback);

// The plan's layers (`early` ones taken where they are still the plan's), config and manifest,
// copied to every output; `settings.compression` is the outputs'.
Result<WrittenImage> write_outputs(const Plan& plan, LayerMode layers, ImageSettings settings,
                                   Outputs& outputs, TransferProgress* progress,
                                   std::vector<EarlyLayer> early = {});

// Both at once, for a caller with no work to overlap (slim).
Result<WrittenImage> write_outputs(const Plan& plan, LayerMode layers, ImageSettings settings,
                                   const std::vector<std::string>& outputs,
                                   const transport::RegistryOptions& registry,
                                   const std::optional<compress::Compression>& asked,
                                   TransferProgress* progress);

}  // namespace pith::build
