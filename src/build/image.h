// Turning a plan into an image: one deterministic tar per layer (sorted entries, fixed mtime,
// owners as planned), compressed, hashed while written; then the config and manifest. The
// result is an ImageSource, so every sink (oci, archives, registries) can take it by copy.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "build/plan.h"
#include "build/spec.h"
#include "compress/compression.h"
#include "oci/config.h"
#include "oci/descriptor.h"
#include "transport/source.h"
#include "util/file.h"
#include "util/time_text.h"

namespace pith::build {

// The parts of the image config and manifest that are not layers.
struct ImageSettings {
  oci::Platform platform;
  std::string created;  // RFC 3339, from SOURCE_DATE_EPOCH (or 1970-01-01T00:00:00Z)
  int64_t mtime = 0;    // of every tar entry
  std::string user;
  std::vector<std::string> env;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string workdir;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "8080/tcp"
  std::string stop_signal;
  std::map<std::string, std::string> annotations;  // manifest annotations
  compress::Compression compression = compress::Compression::gzip;
};

struct BuiltImage {
  std::unique_ptr<transport::ImageSource> source;
  oci::Digest manifest_digest;
  std::vector<oci::Descriptor> layers;
};

// A layer's blob: an unlinked temporary file, its descriptor and its diff_id.
struct LayerBlob {
  std::shared_ptr<UniqueFd> fd;
  oci::Descriptor descriptor;
  oci::Digest diff_id;
};

// A layer written while the plan is being finished (the program's own, while its libraries'
// packages are recorded and lint checks the plan): assemble_image takes it if the layer's
// entries are still these, and writes the layer again otherwise. Its destructor waits for it.
struct EarlyLayer {
  Layer layer = Layer::app;
  std::vector<PlanEntry> entries;
  compress::Compression compression = compress::Compression::gzip;
  int64_t mtime = 0;
  std::future<Result<LayerBlob>> blob;
};
EarlyLayer start_layer(Layer layer, std::vector<PlanEntry> entries, const ImageSettings& settings);

// The config fields a container starts with (platform, user, env, entrypoint, cmd, working
// directory), as lint's run-time rules read them from a written image.
oci::ImageConfig start_config(const ImageSettings& settings);

// Writes the plan's layers (base, libs, app, in that order; an empty one is left out), or
// with `single` all entries in one layer; each layer gets its history line.
Result<BuiltImage> assemble_image(const Plan& plan, LayerMode mode, const ImageSettings& settings,
                                  std::vector<EarlyLayer> early = {});

// SOURCE_DATE_EPOCH (seconds) when set and valid, else 0 (util/time_text.h's rfc3339 writes
// it as `created`).
Result<int64_t> source_date_epoch();

}  // namespace pith::build
