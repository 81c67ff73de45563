// Layer waste: dive's efficiency numbers, reproduced bit for bit, next to pith's own measure
// of the bytes that squashing the layers would reclaim (docs/efficiency.md has both, worked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fs/layers.h"

namespace pith::fs {

class Tree;

// A path that dive lists as inefficient: it is a leaf in two or more layers' trees.
struct InefficientPath {
  std::string path;           // pith's spelling "a/b" (dive prints "/a/b")
  size_t count = 0;           // how many layers have it as a leaf (dive's len(Nodes))
  uint64_t cumulative_bytes;  // dive's CumulativeSize: what each of those layers adds up to
};

struct Efficiency {
  // dive's score: over every path that is a leaf in some layer's own tree, the sum of each
  // path's smallest size seen divided by the sum of all sizes seen (1.0 when nothing was seen).
  double score = 1.0;
  uint64_t wasted_bytes = 0;         // dive's wastedBytes: cumulative_bytes over `inefficient`
  double user_wasted_percent = 0.0;  // dive's wastedUserPercent: wasted / user size, a fraction
                                     // (IEEE inf or NaN when the user size is 0, as in dive)
  uint64_t size_bytes = 0;           // dive's sizeBytes: tar header sizes of every layer's entries
  uint64_t user_size_bytes = 0;      // dive's userSizeBytes: the same, layers after the first
  // pith's own: for every path some layer writes, the bytes of that path's versions that the
  // final squashed tree does not show (overwritten later, in a later layer or later in the
  // same layer; deleted by a whiteout; hidden by an opaque directory; or gone with a directory
  // that a non-directory replaced). Regular-file bytes only: a hard link adds no bytes, and a
  // version stays visible while any visible hard link still names its content. Whiteout
  // markers and aufs ".wh..wh.*" bookkeeping are instructions, not versions.
  uint64_t reclaimable_bytes = 0;
  // dive's inefficient paths, smallest cumulative size first; ties keep the order dive found
  // them in (layer by layer, depth first, children before parents, names in byte order).
  std::vector<InefficientPath> inefficient;
};

// Both measures over an image's layers (lowest first), each as fs::read_layers gives it. A
// whiteout of something no lower layer has is dive's "unable to propagate" case, which dive
// survives (and which this reproduces, score quirks included). Fails only at the bounds: dive
// keeps a tree per layer, so deep paths repeated in many layers would otherwise cost memory in
// proportion to layers times depth; at most k_max_entries nodes are made in all.
// `squashed`, when given, is the tree of all the layers applied in order (Tree::apply_layer),
// which the reclaimable bytes are read from instead of squashing the layers a second time
// (only the states below each layer are built): for a one-layer image that second squash and
// its teardown were half of this function's time, and ~10 MB at inspect's peak. It is only
// read, so other threads may read it meanwhile.
Result<Efficiency> compute_efficiency(const std::vector<LayerEntries>& layers,
                                      const Tree* squashed = nullptr);

}  // namespace pith::fs
