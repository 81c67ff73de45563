// The treemap's data: the squashed file system as bytes by directory, cut down to what a page
// can carry. A golang-like image has ~27,000 entries; the page keeps a few thousand nodes:
// directories are opened largest first until the node budget is spent, each showing its
// largest children and one "other" node for the rest, so every level keeps its own detail when
// the reader zooms in. Each node is coloured by the package that owns most of its bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fs/tree.h"

namespace pith::report_html {

struct TreemapLimits {
  size_t max_nodes = 2500;   // nodes kept in all, the root included
  size_t max_children = 24;  // shown children of one directory (more merge into "other")
  double min_share = 0.002;  // a child smaller than this share of its directory merges
  size_t max_depth = 12;     // directories deeper than this are never opened
};

struct TreemapNode {
  enum class Kind { directory, file, other };
  std::string name;  // a file or directory name; "" for the root; "N more" for other
  Kind kind = Kind::directory;
  uint64_t bytes = 0;    // regular-file bytes at or below it (hard links add none)
  uint64_t entries = 0;  // paths at or below it, itself included (the root: all but "/")
  uint64_t merged = 0;   // other: how many siblings it stands for
  // The package that owns most of its bytes, files owned by no package counting as one more
  // owner; nullopt when those win (or it holds no bytes). Ties go to the lower index.
  std::optional<size_t> package;
  bool opened = false;  // a directory whose children are listed (else its detail was cut)
  std::vector<TreemapNode> children;  // largest first, "other" last
};

// `owner(path)`: the package (an index) that owns a regular file at this tree path, if any.
TreemapNode build_treemap(const fs::Tree& tree,
                          const std::function<std::optional<size_t>(const std::string&)>& owner,
                          const TreemapLimits& limits = {});

}  // namespace pith::report_html
