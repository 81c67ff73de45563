// skopeo's directory transport (`dir:`), as containers/image writes it: `manifest.json` (the
// image's manifest, or the index with --all), `<hex>.manifest.json` for each image an index
// names, every blob as `<hex>`, and a `version` file. Manifests are kept as they are, Docker or
// OCI: the directory holds exactly what the source had.
#pragma once

#include <memory>
#include <string>

#include "transport/sink.h"
#include "transport/source.h"

namespace pith::transport {

Result<std::unique_ptr<ImageSource>> open_skopeo_dir_source(const std::string& dir,
                                                            std::string describe);

// A new directory is made beside and renamed into place at commit; an existing one must be
// empty or a previous `dir:` image (a `version` file), which is then replaced whole, as skopeo
// does. Anything else is refused.
Result<std::unique_ptr<ImageSink>> open_skopeo_dir_sink(const std::string& dir,
                                                        std::string describe);

// True if `dir` has the `version` file that marks skopeo's directory transport.
bool is_skopeo_dir(const std::string& dir);

}  // namespace pith::transport
