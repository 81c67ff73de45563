// A layer analysed once for inspect, lint and sbom together (one read of its blob, every
// captured file fed to each tool as its own pass would feed it), stored as bytes keyed by the
// layer's diff_id, and an image's results merged from its layers' analyses without reading any
// blob again: the same report, findings and SBOM input as `pith inspect`, `pith lint` and
// `pith sbom` give for that image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/layers.h"
#include "lint/image.h"
#include "lint/rules.h"
#include "oci/digest.h"
#include "report/model.h"
#include "report/packages.h"
#include "sbom/captures.h"
#include "sbom/sbom.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::fleet {

// Bump it whenever what a layer's analysis holds or means changes (a cataloger, lint's facts,
// sbom's captures, a capture policy, the record's fields): stored analyses of another version
// are refused by decode() and made again.
inline constexpr int k_analyzer_version = 1;

// What one layer gives the three tools; depends only on the layer's bytes.
struct LayerAnalysis {
  oci::Digest diff_id;
  // Entries, the tar's size and the warnings inspect's pass gives for this layer (files too
  // large to analyse); `captured` stays empty.
  fs::LayerEntries layer;
  report::LayerCatalog catalog;  // what inspect's catalogers kept
  lint::LayerFacts facts;        // what lint's collect kept
  sbom::LayerCaptures captures;  // copyright files; every regular file's sha256
  // The layer's warnings as sbom's pass gives them: inspect's, and in entry order among them
  // files left unhashed (sparse holes past k_max_hashed_hole_bytes).
  std::vector<std::string> sbom_warnings;
  // What the catalogers counted against report::CatalogBudget, shared by an image's layers:
  // merge_image holds the sum to the budget's bounds.
  uint64_t kept_bytes = 0;
  uint64_t listed_paths = 0;
};

// Reads layer `index` of `img` once (its blob digest and diff_id verified: a tampered blob is
// an error and no analysis), with the union of inspect's, lint's and sbom's capture policies
// and every regular file hashed.
Result<LayerAnalysis> analyze_layer(transport::ImageSource& src,
                                    const transport::ResolvedImage& img, size_t index);

// The stored form: "PITHLAYR", the record format and k_analyzer_version as varints, the body's
// size, then the body (varints, strings, sorted paths sharing prefixes; record.h) as one zstd
// frame (level 3). Measured on one core of a 2-core VM, on the largest layers at hand (the
// corpus' own are a few MB):
//   golang:1.22's toolchain layer, 964 MB of tar, 27,341 entries, 872 ELF objects, 23,395
//   files hashed: body 4.78 MB, record 1.43 MB; encode 74-104 ms, decode 71-75 ms (the read
//   of the layer itself: 6.3-7.1 s).
//   A Debian image's 180 MB layer, 9,555 entries, 758 ELF objects: body 2.44 MB, record
//   561 KB; encode 39-42 ms, decode 28 ms (the read: 0.6 s).
// Most of a record is the 32 bytes of each file's sha256, which do not compress.
std::string encode(const LayerAnalysis& analysis);
// The inverse. `bytes` is hostile: every length and count is bounded (util/limits.h: entries,
// path bytes, kept bytes), entries must be what the layer reader gives (normalised paths within
// PATH_MAX), enums in range, and anything else is one error naming the field and its offset.
// A record of another k_analyzer_version is an error too (the layer is to be analysed again).
Result<LayerAnalysis> decode(std::string_view bytes);

struct ImageResults {
  report::InspectReport inspect;        // `pith inspect`
  std::vector<lint::Finding> findings;  // `pith lint`, default options
  sbom::SbomInput sbom;                 // `pith sbom`'s input, file hashes on
};

struct MergeOptions {
  // As `pith sbom` reads it (sbom::source_date_epoch()); nullopt: unset, the image's time.
  std::optional<int64_t> source_date_epoch;
};

// The image's results from its layers' analyses (layers[i] of img's layer i, checked by
// diff_id), with the bounds the pass holds an image to over all its layers: entries, their
// path bytes, the catalogers' kept bytes and listed paths. `reference` is what the image's
// source describes itself as (ImageSource::describe()).
Result<ImageResults> merge_image(std::string reference, const transport::ResolvedImage& img,
                                 std::vector<LayerAnalysis> layers,
                                 const MergeOptions& options = {});

}  // namespace pith::fleet
