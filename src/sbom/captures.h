// What each layer's worker keeps for the SBOM beside inspect's captures, and the join of it with
// the report and the squashed tree: measure's two halves, the second also run on captures stored
// per layer (fleet).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "fs/layers.h"
#include "fs/tree.h"
#include "report/model.h"
#include "sbom/sbom.h"

namespace pith::sbom {

// What one layer gave the sbom (written only by that layer's worker); depends only on the
// layer's bytes.
struct LayerCaptures {
  std::unordered_map<std::string, std::string> sha256;  // path as written → hex
  std::unordered_map<std::string, std::string> files;   // copyright files
};

// The contents the sbom wants beside inspect's: Debian copyright files
// (usr/share/doc/<pkg>/copyright) up to k_max_copyright_bytes, whole.
fs::Want wanted_capture(const tar::Entry& e);
// Keeps a captured file the sbom wants into `out` (others are ignored).
void collect(const fs::CapturedFile& file, LayerCaptures& out);

// Steps 2-5 of measure: each package's owned files with the checksums the final tree shows
// (with FileHashes::yes), licences, dependencies, the creation time. `layers` holds one
// LayerCaptures per layer of the image `tree` squashes; only `file_hashes` and
// `source_date_epoch` of `options` are read.
SbomInput join(report::InspectReport report, const fs::Tree& tree,
               const std::vector<LayerCaptures>& layers, const MeasureOptions& options);

}  // namespace pith::sbom
