// Reading an image's layers: each once, in parallel, into per-layer entry lists that are
// merged in layer order afterwards (no shared mutable state between workers).
#pragma once

#include <vector>

#include "tar/entry.h"
#include "transport/resolve.h"
#include "transport/source.h"

namespace pith::fs {

struct LayerEntries {
  std::vector<tar::Entry> entries;
  uint64_t uncompressed_size = 0;
};

// Reads layer `index` of `img`: its entries in archive order (content is not kept).
Result<LayerEntries> read_layer(transport::ImageSource& src, const transport::ResolvedImage& img,
                                size_t index);

// Reads every layer, `threads` at a time (0: one per core). Errors name the layer.
Result<std::vector<LayerEntries>> read_layers(transport::ImageSource& src,
                                              const transport::ResolvedImage& img,
                                              unsigned threads = 0);

}  // namespace pith::fs
