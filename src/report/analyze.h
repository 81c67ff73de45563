// `inspect`'s measurement: one pass over each layer (in parallel) feeds the file tree, the
// package catalogers and the surface checks; the results are merged in layer order.
#pragma once

#include <functional>

#include "fs/layers.h"
#include "fs/tree.h"
#include "report/model.h"
#include "report/packages.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::report {

struct AnalyzeOptions {
  unsigned threads = 0;  // 0: one per core
  // Called from reading workers as each layer finishes (layers done, layers, bytes so far);
  // must be thread-safe.
  std::function<void(size_t, size_t, uint64_t)> on_layer_done;
  // Another reader riding on the same pass (lint): its policy is asked beside inspect's, and
  // its consumer sees each captured file first, in the worker of that file's layer.
  fs::CapturePolicy also_capture;
  std::function<void(size_t layer, const fs::CapturedFile&)> also_consume;
  // Regular files whose SHA-256 another reader wants (sbom's file checksums), hashed as they
  // stream by without being copied (fs::ScanOptions::digest); on_digest gets each, in the
  // worker of its layer.
  std::function<bool(const tar::Entry&)> also_digest;
  fs::DigestConsumer on_digest;
  // When set, receives the squashed tree (the pass builds it anyway).
  fs::Tree* tree = nullptr;
};

Result<InspectReport> analyze_image(transport::ImageSource& src,
                                    const transport::ResolvedImage& img,
                                    const AnalyzeOptions& options = {});

// The second half of analyze_image: the layers as the pass read them (entries, sizes and
// warnings; `captured` is not read) and what inspect's catalogers kept of each, one per layer of
// `img`, merged in layer order: squash, counts, efficiency, OS packages, surface. `reference` is
// the report's name (the source's describe()). The squashed tree goes to `tree` when set. Runs
// on a pass made now or on per-layer results stored earlier (fleet): same inputs, same report.
Result<InspectReport> merge_layers(std::string reference, const transport::ResolvedImage& img,
                                   const std::vector<fs::LayerEntries>& layers,
                                   const std::vector<LayerCatalog>& catalogs,
                                   fs::Tree* tree = nullptr);

}  // namespace pith::report
